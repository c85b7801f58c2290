/**
 * Field checks shared by the OpenAI-compatible and the KServe V2 generate request parsers. Every failure is an
 * InferenceError 400 naming the field and what it must be; `field` is the name the client used.
 */
import { badRequest } from '../protocol/errors.js';

export type Fields = Readonly<Record<string, unknown>>;

/** Most stop strings a request may give (OpenAI's limit). */
export const maxStopStrings = 4;

const given = (value: unknown): boolean => value !== undefined && value !== null;

export function objectBody(body: unknown, what: string): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`request body must be a JSON object (${what})`);
  return body as Fields;
}

export function optionalNumber(fields: Fields, field: string, min: number, max: number, options: { minExclusive?: boolean } = {}): number | undefined {
  const value = fields[field];
  if (!given(value)) return undefined;
  const low = options.minExclusive ? value as number > min : value as number >= min;
  if (typeof value !== 'number' || !Number.isFinite(value) || !low || value > max) {
    throw badRequest(`${field} must be a number in ${options.minExclusive ? '(' : '['}${min}, ${max}]; got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalInteger(fields: Fields, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = fields[field];
  if (!given(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`${field} must be an integer${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` in ${min}..${max}`}; got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalBoolean(fields: Fields, field: string): boolean | undefined {
  const value = fields[field];
  if (!given(value)) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${field} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

/** `stop`: a string or a list of up to four non-empty strings. */
export function stopStrings(fields: Fields, field = 'stop'): string[] {
  const value = fields[field];
  if (!given(value)) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw badRequest(`${field} must be a string or an array of strings; got ${JSON.stringify(value)}`);
  }
  if (list.length > maxStopStrings) throw badRequest(`${field} has ${list.length} strings; at most ${maxStopStrings} are allowed`);
  if (list.some((s) => s === '')) throw badRequest(`${field} must not contain an empty string`);
  return list as string[];
}

/** The seed as the engine's uint32: any safe integer (OpenAI allows int64), folded modulo 2^32. */
export function optionalSeed(fields: Fields, field = 'seed'): number | undefined {
  const value = fields[field];
  if (!given(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw badRequest(`${field} must be an integer; got ${JSON.stringify(value)}`);
  return Number(BigInt.asUintN(32, BigInt(value)));
}

/** top_k: 0 or -1 (vLLM's spelling) mean off. */
export function optionalTopK(fields: Fields, field = 'top_k'): number | undefined {
  const value = optionalInteger(fields, field, -1);
  return value === -1 ? 0 : value;
}

/** Fields the service does not implement: refused when set to anything but their no-op value, never ignored. */
export function refuseUnsupported(fields: Fields, isNoOp: Readonly<Record<string, (value: unknown) => boolean>>): void {
  for (const [field, noOp] of Object.entries(isNoOp)) {
    const value = fields[field];
    if (given(value) && !noOp(value)) throw badRequest(`${field} is not supported by this server; leave it out`);
  }
}

export const zero = (v: unknown): boolean => v === 0;
export const falsy = (v: unknown): boolean => v === false;
export const one = (v: unknown): boolean => v === 1;
export const empty = (v: unknown): boolean =>
  (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
