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
import { shutdownTimeoutFromEnv } from '../shutdown/config.js';
import { tlsFilesFromEnv, type TlsFiles } from '../tls/options.js';
import { tracingConfigFromEnv, type TracingConfig } from '../tracing/config.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProductionConfig {
  readonly auth: AuthConfig;
  readonly cache: CacheConfig;
  readonly limits: LimitsConfig;
  readonly fault: FaultConfig;
  readonly shutdownTimeoutSeconds: number;
  readonly tls?: TlsFiles;
  /** METRICS_PORT (default 9000); 0 = any free port (tests). */
  readonly metricsPort: number;
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
  return {
    auth: authConfigFromEnv(env),
    cache: cacheConfigFromEnv(env),
    limits: limitsConfigFromEnv(env),
    fault: faultConfigFromEnv(env),
    shutdownTimeoutSeconds: shutdownTimeoutFromEnv(env),
    tls: tlsFilesFromEnv(env),
    metricsPort: positiveInt(env, 'METRICS_PORT', 9000, 0),
    tracing: tracingConfigFromEnv(env),
  };
}
