/**
 * What server.ts needs to run the service in production, in three calls:
 *
 *   const production = prepareProduction(process.env, config.logLevel);   // settings, metrics, logger options
 *   const server = Fastify({ ...production.serverOptions, ... });          // ECS logs, request ids, HTTPS
 *   await server.register(app, { config, observers: [production.observer], production });
 *   await server.listen(...); await startProduction(server, production, host);  // metrics port, SIGTERM drain
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { InferenceObserver } from '../batching/observer.js';
import { AdmissionGate } from '../limits/admission-gate.js';
import { bufferedDestination, logFlushIntervalMs } from '../logging/destination.js';
import { loggingServerOptions } from '../logging/options.js';
import type { VersionResolver } from '../metrics/plugin.js';
import { metricsInferenceObserver } from '../metrics/inference-events.js';
import { createMetrics, type InferenceMetrics } from '../metrics/instruments.js';
import { boundPort, startMetricsServer } from '../metrics/server.js';
import { installShutdown, type DrainState } from '../shutdown/drain.js';
import { readTlsMaterial, watchTlsMaterial } from '../tls/options.js';
import { traceIdsMixin } from '../tracing/log-ids.js';
import { startTracing, type Tracing } from '../tracing/sdk.js';
import { productionConfigFromEnv, type Env, type ProductionConfig } from './config.js';

export interface ProductionRuntime {
  readonly config: ProductionConfig;
  readonly metrics: InferenceMetrics;
  readonly drain: DrainState;
  /** Fastify options: ECS logger with redaction, request ids, HTTPS when TLS files are configured. */
  readonly serverOptions: FastifyServerOptions;
  /** Batcher/worker events → metrics; pass in the app's `observers`. */
  readonly observer: InferenceObserver;
  /** Load shedding below Fastify (MAX_INFLIGHT_REQUESTS), installed through serverOptions.serverFactory. */
  readonly gate?: AdmissionGate;
  /** Lets the gate label shed requests by model/version once the model registry exists (production plugin). */
  readonly labelShedRequests?: (resolve: VersionResolver) => void;
  /** The OpenTelemetry SDK when OTEL_* turn tracing on (src/tracing); undefined costs nothing per request. */
  readonly tracing?: Tracing;
}

const inferPath = /^\/v2\/models\/([^/?]+)(?:\/versions\/([^/?]+))?\/(?:infer|generate|generate_stream)/;

function decode(segment: string | undefined): string | undefined {
  try {
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** stdout, line by line (pino's default), or through the LOG_BUFFER_BYTES buffer. */
const logStream = (bytes: number): NodeJS.WritableStream | undefined =>
  bytes > 0 ? (bufferedDestination({ dest: 1, minLength: bytes, flushMs: logFlushIntervalMs }) as unknown as NodeJS.WritableStream) : undefined;

export function prepareProduction(env: Env, logLevel: string): ProductionRuntime {
  const config = productionConfigFromEnv(env);
  const metrics = createMetrics();
  let resolve: VersionResolver = () => undefined;
  const gate = new AdmissionGate({
    maxInflight: config.limits.maxInflight,
    onReject: (path) => {
      metrics.rejected.inc({ reason: 'overload' });
      const match = inferPath.exec(path);
      const model = decode(match?.[1]);
      const version = model === undefined ? undefined : resolve(model, decode(match?.[2]));
      metrics.requests.inc({ model: version === undefined ? 'unknown' : (model as string), version: version ?? 'unknown', status: '503' });
    },
  });
  const tls = config.tls ? readTlsMaterial(config.tls) : undefined;
  const serverFactory = (handler: RequestListener) =>
    tls ? createHttpsServer({ ...tls }, gate.wrap(handler)) : createHttpServer(gate.wrap(handler));
  return {
    config,
    metrics,
    drain: { draining: false },
    serverOptions: {
      ...loggingServerOptions({ level: logLevel, stream: logStream(config.logBufferBytes), ...(config.tracing.enabled ? { mixin: traceIdsMixin } : {}) }),
      serverFactory,
    } as FastifyServerOptions,
    observer: metricsInferenceObserver(metrics),
    gate,
    labelShedRequests: (resolver) => (resolve = resolver),
    ...(config.tracing.enabled ? { tracing: startTracing(config.tracing) } : {}),
  };
}

/** Starts the metrics listener, the certificate watcher and the SIGTERM drain; call after `server.listen`. */
export async function startProduction(server: FastifyInstance, runtime: ProductionRuntime, host: string): Promise<void> {
  const metricsServer = await startMetricsServer({ registry: runtime.metrics.registry, host, port: runtime.config.metricsPort });
  server.log.info({ metrics: { port: boundPort(metricsServer) } }, `metrics on http://${host}:${boundPort(metricsServer)}/metrics`);
  const tracing = runtime.config.tracing;
  server.log.info(
    tracing.enabled
      ? `tracing on: ${tracing.exporter === 'console' ? 'spans to stdout' : `OTLP ${tracing.protocol} to ${tracing.endpoint}`}, sampler ${tracing.sampler.name}`
      : `tracing off: ${tracing.reason}`,
  );
  const stopWatching = runtime.config.tls
    ? watchTlsMaterial(server.server as Server, runtime.config.tls, (error) => server.log.error({ err: error }, 'TLS reload failed; keeping the old certificate'))
    : () => {};
  installShutdown({
    app: server,
    state: runtime.drain,
    timeoutSeconds: runtime.config.shutdownTimeoutSeconds,
    duplicateSignalWindowMs: runtime.config.duplicateSignalWindowMs,
    draining: runtime.metrics.draining,
    afterClose: async () => {
      stopWatching();
      await metricsServer.close();
      // Export the spans still buffered (the last requests of the drain) before the process exits.
      await runtime.tracing?.shutdown();
    },
  });
}
