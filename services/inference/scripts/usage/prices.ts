/**
 * The price table the usage report turns compute seconds into money with (services/inference/config/prices.json by
 * default). Cost of a row = compute_seconds ÷ 3600 × gpusPerWorker × gpuHourPrice of its model (docs/usage-and-drift.md).
 */
import { readFile } from 'node:fs/promises';

export interface ModelPrice {
  /** Price of one GPU-hour of the node pool the model runs on, in `currency`. */
  readonly gpuHourPrice: number;
  /** GPUs one worker occupies while it runs a batch (default 1). */
  readonly gpusPerWorker: number;
}

export interface PriceTable {
  readonly currency: string;
  readonly default: ModelPrice;
  readonly models: Readonly<Record<string, ModelPrice>>;
}

export class PriceTableError extends Error {
  override name = 'PriceTableError';
}

function modelPrice(value: unknown, where: string): ModelPrice {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PriceTableError(`${where} must be an object`);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!['gpuHourPrice', 'gpusPerWorker'].includes(key)) throw new PriceTableError(`${where}: unknown field "${key}"`);
  const price = v.gpuHourPrice;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) throw new PriceTableError(`${where}.gpuHourPrice must be a number ≥ 0`);
  const gpus = v.gpusPerWorker ?? 1;
  if (typeof gpus !== 'number' || !Number.isFinite(gpus) || gpus <= 0) throw new PriceTableError(`${where}.gpusPerWorker must be a number > 0`);
  return { gpuHourPrice: price, gpusPerWorker: gpus };
}

export function parsePriceTable(json: unknown, source: string): PriceTable {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PriceTableError(`${source}: must be a JSON object`);
  const t = json as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!['$comment', 'currency', 'default', 'models'].includes(key)) throw new PriceTableError(`${source}: unknown field "${key}"`);
  if (typeof t.currency !== 'string' || !/^[A-Z]{3}$/.test(t.currency)) throw new PriceTableError(`${source}: currency must be an ISO 4217 code such as "USD"`);
  const models: Record<string, ModelPrice> = {};
  const listed = t.models ?? {};
  if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new PriceTableError(`${source}: models must be an object`);
  for (const [name, value] of Object.entries(listed)) models[name] = modelPrice(value, `${source}: models.${name}`);
  return { currency: t.currency, default: modelPrice(t.default, `${source}: default`), models };
}

export async function readPriceTable(path: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PriceTableError(`cannot read price table ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PriceTableError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parsePriceTable(json, path);
}

export function priceOf(table: PriceTable, model: string): ModelPrice {
  return table.models[model] ?? table.default;
}
