/**
 * Every production setting (auth, cache, limits, faults, shutdown, TLS, metrics port) read from the
 * environment once, at start, so a bad value stops the process with a message naming the variable.
 * docs/configuration.md lists each with its default.
 */
import { ConfigError } from '../config.js';
import { authConfigFromEnv, type AuthConfig } from '../auth/config.js';
import { cacheConfigFromEnv, positiveInt, type CacheConfig } from '../cache/config.js';
import { faultConfigFromEnv, type FaultConfig } from '../fault/config.js';
import { limitsConfigFromEnv, type LimitsConfig } from '../limits/config.js';
import { shutdownConfigFromEnv } from '../shutdown/config.js';
import { tlsFilesFromEnv, type TlsFiles } from '../tls/options.js';
import { usageConfigFromEnv, type UsageConfig } from '../usage/config.js';
import { tracingConfigFromEnv, type TracingConfig } from '../tracing/config.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** METRICS_PORT when unset (policies/kubernetes/service-ports.ts reads it to know the declared ports). */
export const defaultMetricsPort = 9000;

export interface ProductionConfig {
  readonly auth: AuthConfig;
  readonly cache: CacheConfig;
  readonly limits: LimitsConfig;
  readonly fault: FaultConfig;
  readonly shutdownTimeoutSeconds: number;
  /** SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS (default 1000; src/shutdown/config.ts). */
  readonly duplicateSignalWindowMs: number;
  readonly tls?: TlsFiles;
  /** METRICS_PORT (default 9000); 0 = any free port (tests). */
  readonly metricsPort: number;
  /** Tenant label bounds of the usage counters (USAGE_TENANTS, USAGE_MAX_TENANTS). */
  readonly usage: UsageConfig;
  /** LOG_BUFFER_BYTES (default 0: every log line written at once); src/logging/destination.ts. */
  readonly logBufferBytes: number;
  /** The standard OTEL_* variables (src/tracing/config.ts); off unless an OTLP endpoint is set. */
  readonly tracing: TracingConfig;
}

/** Throws the service's ConfigError (server.ts prints it and exits 2) naming the variable at fault. */
export function productionConfigFromEnv(env: Env): ProductionConfig {
  try {
    return readAll(env);
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
}

function readAll(env: Env): ProductionConfig {
  const shutdown = shutdownConfigFromEnv(env);
  return {
    auth: authConfigFromEnv(env),
    cache: cacheConfigFromEnv(env),
    limits: limitsConfigFromEnv(env),
    fault: faultConfigFromEnv(env),
    shutdownTimeoutSeconds: shutdown.timeoutSeconds,
    duplicateSignalWindowMs: shutdown.duplicateSignalWindowMs,
    tls: tlsFilesFromEnv(env),
    metricsPort: positiveInt(env, 'METRICS_PORT', defaultMetricsPort, 0),
    usage: usageConfigFromEnv(env),
    logBufferBytes: logBufferBytes(env),
    tracing: tracingConfigFromEnv(env),
  };
}

/** LOG_BUFFER_BYTES: 0 (off) up to 1 MiB. */
function logBufferBytes(env: Env): number {
  const bytes = positiveInt(env, 'LOG_BUFFER_BYTES', 0, 0);
  if (bytes > 1 << 20) throw new Error(`LOG_BUFFER_BYTES must be at most ${1 << 20} (1 MiB), got ${bytes}`);
  return bytes;
}
