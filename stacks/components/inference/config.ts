/**
 * The service's configuration as environment variables (names from the service contract, docs/configuration.md):
 * plain settings in a ConfigMap, secrets as Secret keys or mounted files.
 */
import { slo } from '../../../policies/slo.js';
import type { GenerationSettings, InferenceSpec } from '../../environments/schema/types.js';

export const ports = { http: 8080, grpc: 8081, metrics: 9000 } as const;
export const mountPaths = { models: '/models', secrets: '/var/run/secrets/inference', tmp: '/tmp' } as const;
export const jwtKeyFile = 'jwt-public-key.pem';

/** Non-secret settings, one ConfigMap shared by stable and canary. */
export function serviceSettings(spec: InferenceSpec): Record<string, string> {
  const settings: Record<string, string> = {
    HOST: '0.0.0.0',
    PORT: String(ports.http),
    METRICS_PORT: String(ports.metrics),
    MODEL_REPOSITORY: mountPaths.models,
    LOG_LEVEL: spec.logLevel,
    AUTH_MODE: spec.authMode,
    CACHE_TTL_SECONDS: String(slo.cacheTtlSeconds),
    SHUTDOWN_TIMEOUT_SECONDS: String(spec.shutdownTimeoutSeconds),
    // One worker thread per GPU: each worker holds its own session (and KV cache) of every model, and the service's
    // default (one per core, up to 4) would put four sessions on one GPU. The generation capacity check in
    // stacks/environments/schema/validate.ts assumes this.
    WORKER_THREADS: String(spec.resources.gpus),
  };
  const generation = spec.generation ?? {};
  const generationEnv: Record<keyof GenerationSettings, string> = {
    maxSequences: 'GENERATE_MAX_SEQUENCES',
    kvCacheTokens: 'GENERATE_KV_CACHE_TOKENS',
    prefillChunkTokens: 'GENERATE_PREFILL_CHUNK_TOKENS',
    maxQueue: 'GENERATE_MAX_QUEUE',
  };
  for (const [field, env] of Object.entries(generationEnv)) {
    const value = generation[field as keyof GenerationSettings];
    if (value !== undefined) settings[env] = String(value);
  }
  if (spec.grpc.enabled) {
    settings.GRPC_ENABLED = 'true';
    settings.GRPC_PORT = String(ports.grpc);
  }
  if (spec.authMode === 'jwt') {
    settings.JWT_ISSUER = spec.jwt.issuer;
    settings.JWT_AUDIENCE = spec.jwt.audience;
    // The service takes exactly one key source: a JWKS URL or a PEM file mounted from the Secret.
    if (spec.jwt.jwksUrl) settings.JWKS_URL = spec.jwt.jwksUrl;
    else settings.JWT_PUBLIC_KEY_FILE = `${mountPaths.secrets}/${jwtKeyFile}`;
  }
  return settings;
}

export interface TracingSettings {
  /** OTLP/HTTP base URL of the collector (components/tracing). */
  readonly otlpEndpoint: string;
  /** Share of new traces recorded, 0..1. */
  readonly samplerRatio: number;
  /** deployment.environment.name on every span. */
  readonly environment: string;
}

/**
 * The standard OpenTelemetry variables (services/inference/src/tracing/config.ts): OTLP/HTTP protobuf to the
 * collector; new traces sampled at the environment's ratio, a caller's sampling decision followed.
 */
export function tracingSettings(t: TracingSettings): Record<string, string> {
  if (!(t.samplerRatio >= 0 && t.samplerRatio <= 1)) throw new Error(`tracing samplerRatio ${t.samplerRatio} must be between 0 and 1`);
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: t.otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(t.samplerRatio),
    OTEL_SERVICE_NAME: 'inference',
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${encodeURIComponent(t.environment)}`,
  };
}

/** Secret values by key, as Terraform variable tokens (./index.ts creates the variables). */
export interface ServiceSecrets {
  readonly redisUrl: string;
  readonly cacheEncryptionKey: string;
  readonly cacheHmacKey: string;
  readonly jwtPublicKey: string;
}

/** Keys of the env Secret; the JWT key is a file in a second Secret. */
export const secretEnv = {
  REDIS_URL: 'redis-url',
  CACHE_ENCRYPTION_KEY: 'cache-encryption-key',
  CACHE_HMAC_KEY: 'cache-hmac-key',
} as const;
