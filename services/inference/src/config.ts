import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * Service settings, read once from the environment. This table is the only place a setting is declared:
 * the `ServiceConfig` type is derived from it and docs/configuration.md lists every `env` name (a test checks).
 */
interface Setting<T> {
  readonly env: string;
  readonly description: string;
  /** Default as documented (a function when it depends on the machine). */
  readonly fallback: T | (() => T);
  /** Parses the raw value; returns an error message for bad input. */
  readonly parse: (raw: string) => T | { readonly error: string };
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => (raw: string): number | { error: string } => {
  const value = Number(raw);
  return /^-?\d+$/.test(raw.trim()) && value >= min && value <= max ? value : { error: `must be an integer in ${min}..${max}` };
};
const text = (raw: string): string | { error: string } => (raw.trim() === '' ? { error: 'must not be empty' } : raw.trim());
const flag = (raw: string): boolean | { error: string } =>
  ['true', '1', 'yes'].includes(raw) ? true : ['false', '0', 'no'].includes(raw) ? false : { error: 'must be true or false' };
const oneOf = <T extends string>(values: readonly T[]) => (raw: string): T | { error: string } =>
  (values as readonly string[]).includes(raw) ? (raw as T) : { error: `must be one of ${values.join(', ')}` };

const cores = availableParallelism();
const defaultWorkers = Math.max(1, Math.min(cores, 4));

export const settings = {
  host: { env: 'HOST', description: 'Interface the API listens on (containers set 0.0.0.0).', fallback: '127.0.0.1', parse: text },
  port: { env: 'PORT', description: 'API port (Open Inference Protocol REST).', fallback: 8080, parse: integer(0, 65535) },
  grpcEnabled: {
    env: 'GRPC_ENABLED',
    description: 'Also serve the KServe V2 gRPC API (inference.GRPCInferenceService) on GRPC_PORT; off by default (docs/adr/0004).',
    fallback: false,
    parse: flag,
  },
  grpcPort: { env: 'GRPC_PORT', description: 'gRPC API port when GRPC_ENABLED=true (0 = any free port, tests).', fallback: 8081, parse: integer(0, 65535) },
  modelRepository: {
    env: 'MODEL_REPOSITORY',
    description: 'Folder laid out `<model>/<version>/model.onnx` with optional `<model>/config.json`.',
    fallback: fileURLToPath(new URL('../models', import.meta.url)),
    parse: text,
  },
  workerThreads: {
    env: 'WORKER_THREADS',
    description: 'Worker threads running ONNX Runtime sessions; each holds every model version.',
    fallback: () => defaultWorkers,
    parse: integer(1, 64),
  },
  intraOpThreads: {
    env: 'INTRA_OP_THREADS',
    description: 'ONNX Runtime intra-op threads per worker (cores ÷ workers by default).',
    fallback: () => Math.max(1, Math.floor(cores / defaultWorkers)),
    parse: integer(1, 256),
  },
  bodyLimitBytes: { env: 'BODY_LIMIT_BYTES', description: 'Largest infer request body; larger gets 413.', fallback: 8 * 1024 * 1024, parse: integer(1024) },
  maxTensorElements: {
    env: 'MAX_TENSOR_ELEMENTS',
    description: 'Largest element count of one input tensor, checked before allocation; larger gets 400.',
    fallback: 4 * 1024 * 1024,
    parse: integer(1),
  },
  maxQueueDelayMicroseconds: {
    env: 'BATCH_MAX_QUEUE_DELAY_US',
    description: 'Default dynamic-batching delay: how long the oldest request may wait for others (config.json overrides).',
    // 2 ms, not Triton's usual few hundred µs: on a CPU-bound node a free worker that waits 2 ms for more rows while
    // the other runs a batch ran ~33-row batches instead of ~21, for ~10 % less CPU per request and a lower p99
    // (docs/benchmark.md); a request alone waits at most 2 ms, 1 % of the p95 objective.
    fallback: 2000,
    parse: integer(0, 1_000_000),
  },
  maxQueueSize: {
    env: 'BATCH_MAX_QUEUE_SIZE',
    description: 'Default queued requests per model version beyond which requests get 429 (config.json overrides).',
    fallback: 1024,
    parse: integer(1),
  },
  warmupDynamicDim: {
    env: 'WARMUP_DYNAMIC_DIM',
    description: 'Size of dynamic non-batch axes (e.g. sequence length) in the warm-up run that also sizes batches.',
    fallback: 32,
    parse: integer(1, 65536),
  },
  generateMaxSequences: {
    env: 'GENERATE_MAX_SEQUENCES',
    description: 'Sequences one worker\'s continuous batch runs at once, per generative model (config.json `generation.maxSequences` overrides).',
    fallback: 64,
    parse: integer(1, 1024),
  },
  generateKvCacheTokens: {
    env: 'GENERATE_KV_CACHE_TOKENS',
    description:
      'KV-cache tokens per worker and generative model; each sequence reserves prompt + max tokens. 0 = sized from the model: every sequence at full context, at most 1 GiB of KV cache.',
    fallback: 0,
    parse: integer(0),
  },
  generatePrefillChunkTokens: {
    env: 'GENERATE_PREFILL_CHUNK_TOKENS',
    description: 'Prompt tokens prefilled per decode-loop iteration at most, so a long prompt stalls running streams for one chunk only.',
    // 64: on the demo LLM a 64-token chunk costs about as much as a 16-row decode step, so an iteration that
    // prefills at most doubles the inter-token gap (docs/benchmark.md); 128 halves the steps a long prompt takes.
    fallback: 64,
    parse: integer(1, 65536),
  },
  generateMaxQueue: {
    env: 'GENERATE_MAX_QUEUE',
    description: 'Generate requests waiting for KV-cache room per model version beyond which requests get 429 with Retry-After.',
    // 64: with the default 64 sequences × 2 workers, 128 + 64 streams stay below MAX_INFLIGHT_REQUESTS (256), so a
    // full engine answers 429 with its own Retry-After before the admission gate sheds with 503.
    fallback: 64,
    parse: integer(0, 1_000_000),
  },
  strictReadiness: {
    env: 'STRICT_READINESS',
    description: 'Ready only when every model version loaded; by default one ready version suffices, so a refused model does not stop the others.',
    fallback: false,
    parse: flag,
  },
  logLevel: {
    env: 'LOG_LEVEL',
    description: 'Log level.',
    fallback: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  },
} satisfies Record<string, Setting<unknown>>;

type Settings = typeof settings;
export type ServiceConfig = {
  readonly [K in keyof Settings]: Exclude<ReturnType<Settings[K]['parse']>, { readonly error: string }>;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads every setting; all problems are reported together, each naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings) as Array<[string, Setting<unknown>]>) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') {
      config[key] = typeof setting.fallback === 'function' ? (setting.fallback as () => unknown)() : setting.fallback;
      continue;
    }
    const parsed = setting.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) problems.push(`${setting.env}=${JSON.stringify(raw)} ${parsed.error}`);
    else config[key] = parsed;
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return { ...(config as ServiceConfig), ...overrides };
}
