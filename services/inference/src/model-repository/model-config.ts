import { slo } from '../../../../policies/slo.js';

/** Which versions of a model to load (Triton's version_policy). */
export type VersionPolicy = { readonly latest: number } | { readonly specific: readonly number[] } | { readonly all: true };

/** An execution provider preference; tried in order, CPU last. */
export interface ExecutionProviderSpec {
  readonly name: 'cuda' | 'tensorrt' | 'cpu';
  /** GPU ordinal for cuda / tensorrt. */
  readonly deviceId?: number;
}

/** Dynamic batching settings; any field left out takes the service default. */
export interface BatchingOverrides {
  /** 0 turns batching off for the model; otherwise within policies/slo.ts `batch` (16–128). */
  readonly maxBatchSize?: number;
  /** Batch sizes the batcher dispatches as soon as it has them, without waiting for the queue delay. */
  readonly preferredBatchSizes?: readonly number[];
  /** How long the oldest request may wait for others to join its batch. */
  readonly maxQueueDelayMicroseconds?: number;
  /** Queued requests beyond which new requests get 429 with Retry-After. */
  readonly maxQueueSize?: number;
}

/** Generative-model settings of `<model>/config.json`; any field left out takes the service default. */
export interface GenerationOverrides {
  /** Context length in tokens; overrides max_position_embeddings / model_max_length (never above the former). */
  readonly contextLength?: number;
  /** Sequences per worker decode loop (GENERATE_MAX_SEQUENCES). */
  readonly maxSequences?: number;
  /** KV-cache tokens per worker (GENERATE_KV_CACHE_TOKENS). */
  readonly kvCacheTokens?: number;
  /** Prompt tokens prefilled per loop iteration (GENERATE_PREFILL_CHUNK_TOKENS). */
  readonly prefillChunkTokens?: number;
  /** Requests waiting for KV-cache room beyond which 429 (GENERATE_MAX_QUEUE). */
  readonly maxQueue?: number;
}

/** `<model>/config.json`, validated. */
export interface ModelConfig {
  readonly versionPolicy: VersionPolicy;
  /** Expected SHA-256 (hex) of `<version>/model.onnx`, by version. */
  readonly sha256: ReadonlyMap<number, string>;
  readonly batching: BatchingOverrides;
  readonly generation: GenerationOverrides;
  readonly executionProviders: readonly ExecutionProviderSpec[];
  /** When true a model whose GPU provider cannot load is refused instead of falling back to CPU. */
  readonly gpuRequired: boolean;
}

export const defaultModelConfig: ModelConfig = {
  versionPolicy: { latest: 1 },
  sha256: new Map(),
  batching: {},
  generation: {},
  executionProviders: [{ name: 'cpu' }],
  gpuRequired: false,
};

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Validates parsed config.json; every message names the file and the field. */
export function parseModelConfig(json: unknown, file: string): ModelConfig {
  const fail = (message: string): never => {
    throw new ModelConfigError(`${file}: ${message}`);
  };
  if (!isObject(json)) return fail('must be a JSON object');
  const known = ['versionPolicy', 'versions', 'batching', 'generation', 'executionProviders', 'gpuRequired'];
  for (const key of Object.keys(json)) if (!known.includes(key)) fail(`unknown field "${key}" (known: ${known.join(', ')})`);
  return {
    versionPolicy: json.versionPolicy === undefined ? defaultModelConfig.versionPolicy : parseVersionPolicy(json.versionPolicy, fail),
    sha256: parseVersions(json.versions, fail),
    batching: json.batching === undefined ? {} : parseBatching(json.batching, fail),
    generation: json.generation === undefined ? {} : parseGeneration(json.generation, fail),
    executionProviders: json.executionProviders === undefined ? defaultModelConfig.executionProviders : parseProviders(json.executionProviders, fail),
    gpuRequired: json.gpuRequired === undefined ? false : typeof json.gpuRequired === 'boolean' ? json.gpuRequired : fail('"gpuRequired" must be true or false'),
  };
}

function parseVersionPolicy(raw: unknown, fail: (m: string) => never): VersionPolicy {
  if (raw === 'all') return { all: true };
  if (isObject(raw) && isPositiveInt(raw.latest)) return { latest: raw.latest };
  if (isObject(raw) && Array.isArray(raw.specific) && raw.specific.length > 0 && raw.specific.every(isPositiveInt)) {
    return { specific: raw.specific };
  }
  return fail('"versionPolicy" must be "all", {"latest": n} or {"specific": [versions]} with positive integers');
}

function parseVersions(raw: unknown, fail: (m: string) => never): Map<number, string> {
  const out = new Map<number, string>();
  if (raw === undefined) return out;
  if (!isObject(raw)) return fail('"versions" must be an object keyed by version number');
  for (const [key, entry] of Object.entries(raw)) {
    const version = Number(key);
    if (!isPositiveInt(version) || String(version) !== key) fail(`"versions" key "${key}" is not a positive integer`);
    if (!isObject(entry)) return fail(`"versions.${key}" must be an object like {"sha256": "<64 hex digits>"}`);
    if (entry.sha256 === undefined) continue;
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(entry.sha256)) fail(`"versions.${key}.sha256" must be 64 hex digits`);
    out.set(version, (entry.sha256 as string).toLowerCase());
  }
  return out;
}

function parseBatching(raw: unknown, fail: (m: string) => never): BatchingOverrides {
  if (!isObject(raw)) return fail('"batching" must be an object');
  const { maxBatchSize, preferredBatchSizes, maxQueueDelayMicroseconds, maxQueueSize } = raw;
  const { min, max } = slo.batch;
  if (maxBatchSize !== undefined && maxBatchSize !== 0 && !(Number.isInteger(maxBatchSize) && (maxBatchSize as number) >= min && (maxBatchSize as number) <= max)) {
    fail(`"batching.maxBatchSize" must be 0 (off) or an integer in ${min}..${max} (policies/slo.ts), got ${JSON.stringify(maxBatchSize)}`);
  }
  if (preferredBatchSizes !== undefined && !(Array.isArray(preferredBatchSizes) && preferredBatchSizes.every(isPositiveInt))) {
    fail('"batching.preferredBatchSizes" must be an array of positive integers');
  }
  const limit = typeof maxBatchSize === 'number' && maxBatchSize > 0 ? maxBatchSize : max;
  for (const size of (preferredBatchSizes as number[] | undefined) ?? []) {
    if (size > limit) fail(`"batching.preferredBatchSizes" contains ${size}, above maxBatchSize ${limit}`);
  }
  if (maxQueueDelayMicroseconds !== undefined && !(Number.isInteger(maxQueueDelayMicroseconds) && (maxQueueDelayMicroseconds as number) >= 0)) {
    fail('"batching.maxQueueDelayMicroseconds" must be a non-negative integer');
  }
  if (maxQueueSize !== undefined && !isPositiveInt(maxQueueSize)) fail('"batching.maxQueueSize" must be a positive integer');
  return raw as BatchingOverrides;
}

function parseGeneration(raw: unknown, fail: (m: string) => never): GenerationOverrides {
  if (!isObject(raw)) return fail('"generation" must be an object');
  const known = ['contextLength', 'maxSequences', 'kvCacheTokens', 'prefillChunkTokens', 'maxQueue'];
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key)) fail(`unknown field "generation.${key}" (known: ${known.join(', ')})`);
    if (!isPositiveInt(value)) fail(`"generation.${key}" must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return raw as GenerationOverrides;
}

function parseProviders(raw: unknown, fail: (m: string) => never): ExecutionProviderSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) return fail('"executionProviders" must be a non-empty array');
  return raw.map((entry, i) => {
    const spec = typeof entry === 'string' ? { name: entry } : entry;
    if (!isObject(spec) || !['cuda', 'tensorrt', 'cpu'].includes(spec.name as string)) {
      return fail(`"executionProviders[${i}]" must be "cuda", "tensorrt", "cpu" or an object with such a "name"`);
    }
    if (spec.deviceId !== undefined && !(Number.isInteger(spec.deviceId) && (spec.deviceId as number) >= 0)) {
      fail(`"executionProviders[${i}].deviceId" must be a non-negative integer`);
    }
    return spec as unknown as ExecutionProviderSpec;
  });
}
