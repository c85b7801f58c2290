/**
 * The real service (app.ts with the bundled demo model, worker threads, batcher) with the production layer, built
 * in-process the way server.ts builds it; and a spawner for tests that need the real process (signals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import app from '../../src/app.js';
import { loadConfig, type ServiceConfig } from '../../src/config.js';
import { createMetrics } from '../../src/metrics/instruments.js';
import { metricsInferenceObserver } from '../../src/metrics/inference-events.js';
import { loggingServerOptions } from '../../src/logging/options.js';
import { productionConfigFromEnv, type Env } from '../../src/production/config.js';
import type { ProductionRuntime } from '../../src/production/runtime.js';
import { traceIdsMixin } from '../../src/tracing/log-ids.js';
import { startTracing } from '../../src/tracing/sdk.js';
import { freePort } from './redis-server.js';

export interface RealService {
  readonly app: FastifyInstance;
  readonly production: ProductionRuntime;
}

export async function realService(
  env: Env,
  logStream?: NodeJS.WritableStream,
  overrides: Partial<ServiceConfig> = {},
  /** Runtime parts server.ts has and tests may add (the admission gate, which HTTP installs below Fastify). */
  runtime: Pick<Partial<ProductionRuntime>, 'gate'> = {},
): Promise<RealService> {
  const config = loadConfig({}, { workerThreads: 1, intraOpThreads: 1, logLevel: logStream ? 'info' : 'silent', ...overrides });
  const metrics = createMetrics();
  const productionConfig = productionConfigFromEnv(env);
  const production: ProductionRuntime = {
    config: productionConfig,
    metrics,
    drain: { draining: false },
    serverOptions: loggingServerOptions({ level: config.logLevel, stream: logStream, ...(productionConfig.tracing.enabled ? { mixin: traceIdsMixin } : {}) }),
    observer: metricsInferenceObserver(metrics),
    ...runtime,
    // OTEL_* in env start the SDK as server.ts does; the test shuts it down (production.tracing.shutdown()).
    ...(productionConfig.tracing.enabled ? { tracing: startTracing(productionConfig.tracing) } : {}),
  };
  const instance = Fastify({ ...production.serverOptions, bodyLimit: config.bodyLimitBytes });
  await instance.register(app, { config, observers: [production.observer], production });
  await instance.ready();
  await instance.modelsLoaded;
  return { app: instance, production };
}

/** A demo-model infer body: `tokens` ids for one row; distinct `seed`s give distinct requests. */
export function demoInfer(seed: number, extra: Record<string, unknown> = {}, tokens = 8) {
  const ids = Array.from({ length: tokens }, (_, t) => (seed * 31 + t * 7 + 1) % 1000);
  return {
    ...extra,
    inputs: [
      { name: 'input_ids', datatype: 'INT64', shape: [1, tokens], data: ids },
      { name: 'attention_mask', datatype: 'INT64', shape: [1, tokens], data: ids.map(() => 1) },
    ],
    outputs: [{ name: 'probabilities' }],
  };
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly metricsUrl: string;
  readonly exited: Promise<number | null>;
  /** Log lines (parsed ECS JSON). */
  readonly logs: Array<Record<string, unknown>>;
}

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

/** Spawns src/server.ts on free loopback ports and waits for readiness. */
export async function spawnService(env: Env): Promise<ServiceProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  // node --import tsx (not the tsx launcher) so that the child's pid is the server's: signals and /proc reach it.
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), WORKER_THREADS: '1', INTRA_OP_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    if (await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false)) break;
    if (i > 300) throw new Error(`server not ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, exited, logs };
}
