import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { InferenceEvents, type InferenceObserver } from './batching/observer.js';
import type { ServiceConfig } from './config.js';
import { generativeCatalog, type GenerativeCatalog } from './generation/catalog.js';
import { registryEngines } from './generation/registry-engines.js';
import { TextTokenizer } from './generation/tokenizer.js';
import { ModelRegistry } from './model-repository/model-registry.js';
import { generationDefaultsOf } from './model-repository/version-loader.js';
import grpcPlugin from './grpc/plugin.js';
import { installErrorHandlers } from './routes/error-handler.js';
import { healthRoutes } from './routes/health.js';
import { generateRoutes } from './routes/generate.js';
import { inferRoutes } from './routes/infer.js';
import type { InferInterceptor } from './routes/infer-pipeline.js';
import { modelMetadataRoutes } from './routes/model-metadata.js';
import { modelLookup } from './production/model-lookup.js';
import productionPlugin from './production/plugin.js';
import type { ProductionRuntime } from './production/runtime.js';
import { repositoryRoutes } from './routes/repository.js';
import { serverMetadataRoutes } from './routes/server-metadata.js';
import { openAiRoutes } from './routes/v1/plugin.js';
import { WorkerPool } from './workers/worker-pool.js';

export interface AppOptions {
  /** Validated settings (see config.ts). */
  readonly config: ServiceConfig;
  /** Observers attached before the first model loads, so they see every ready-state change. */
  readonly observers?: readonly InferenceObserver[];
  /** Production layer (auth, cache, limits, metrics, audit logs, drain, faults; src/production); server.ts sets it. */
  readonly production?: ProductionRuntime;
  /** Tests only: lets `workerPool.crashWorker()` end a worker thread. */
  readonly allowWorkerExitMessage?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly serviceConfig: ServiceConfig;
    /** Served models and versions, each ready version with its DynamicBatcher. */
    readonly modelRegistry: ModelRegistry;
    readonly workerPool: WorkerPool;
    /** Batch, queue-depth, worker-restart and model-ready events (batching/observer.ts). */
    readonly inferenceEvents: InferenceEvents;
    /** Wrappers around every validated infer call (routes/infer-pipeline.ts); push to add one. */
    readonly inferInterceptors: InferInterceptor[];
    /** Resolves when every model version has loaded or failed (readiness may still be false). */
    readonly modelsLoaded: Promise<void>;
    /** Generative model versions with their engines and tokenizers (src/generation), for the text routes. */
    readonly generativeModels: GenerativeCatalog;
  }
}

/**
 * The inference service as a Fastify plugin: worker pool, model registry (loading starts at registration and
 * runs in the background so liveness answers meanwhile), error format, and the Open Inference Protocol routes.
 */
async function inferenceApp(fastify: FastifyInstance, options: AppOptions): Promise<void> {
  const { config } = options;
  const events = new InferenceEvents();
  for (const observer of options.observers ?? []) events.add(observer);
  const pool = new WorkerPool({
    size: config.workerThreads,
    events,
    allowExitMessage: options.allowWorkerExitMessage === true,
    warn: (message) => fastify.log.warn(message),
  });
  const registry = new ModelRegistry({
    repository: config.modelRepository,
    pool,
    events,
    log: fastify.log,
    batchDefaults: { maxQueueDelayMicroseconds: config.maxQueueDelayMicroseconds, maxQueueSize: config.maxQueueSize },
    intraOpThreads: config.intraOpThreads,
    warmupDynamicDim: config.warmupDynamicDim,
    generationDefaults: generationDefaultsOf(config),
  });
  events.add({ onWorkerRestart: (e) => fastify.log.warn({ workerId: e.workerId, reason: e.reason }, 'worker thread died and was replaced') });
  const loaded = registry.loadAll().catch((error: Error) => fastify.log.error({ err: error }, `models not loaded: ${error.message}`));

  fastify.decorate('serviceConfig', config);
  fastify.decorate('modelRegistry', registry);
  fastify.decorate('workerPool', pool);
  fastify.decorate('inferenceEvents', events);
  fastify.decorate('inferInterceptors', [] as InferInterceptor[]);
  fastify.decorate('modelsLoaded', loaded);
  const engines = registryEngines(registry);
  fastify.decorate('generativeModels', generativeCatalog(engines, TextTokenizer.load));
  options.production?.metrics.generation.watch(() =>
    [...engines.engines()].map(({ model, version, engine }) => ({ model, version, stats: () => engine.stats() })),
  );
  fastify.addHook('onClose', async () => {
    await loaded;
    await pool.close();
  });

  installErrorHandlers(fastify, config.bodyLimitBytes);
  // gRPC (GRPC_ENABLED): before the routes, which must inherit its content-type parser (src/grpc/plugin.ts), and
  // before the production layer, so a call refused in its onRequest hooks (drain, auth, rate limit) is audited as gRPC.
  if (config.grpcEnabled) {
    await fastify.register(grpcPlugin, {
      host: config.host,
      port: config.grpcPort,
      tls: options.production?.config.tls,
      maxMessageBytes: config.bodyLimitBytes,
      gate: options.production?.gate,
      metrics: options.production?.metrics,
    });
  }
  // Before the routes: its onRoute hook sets body limits and its hooks must wrap every route.
  if (options.production) await fastify.register(productionPlugin, { ...options.production, ...modelLookup(registry) });
  await fastify.register(healthRoutes);
  await fastify.register(serverMetadataRoutes);
  await fastify.register(modelMetadataRoutes);
  await fastify.register(inferRoutes);
  await fastify.register(repositoryRoutes);
  await fastify.register(generateRoutes);
  await fastify.register(openAiRoutes);
}

export default fp(inferenceApp, { name: 'inference-app', fastify: '5.x' });
