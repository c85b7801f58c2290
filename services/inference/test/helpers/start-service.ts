import Fastify, { type FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import app from '../../src/app.js';
import type { InferenceObserver } from '../../src/batching/observer.js';
import { loadConfig, type ServiceConfig } from '../../src/config.js';

export interface TestService {
  readonly app: FastifyInstance;
  /** Log lines (parsed JSON) at warn level and above. */
  readonly logs: Array<{ level: number; msg: string } & Record<string, unknown>>;
  /** Base URL when started with `listen: true`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Builds the app exactly as server.ts does, with small pools for fast tests, and waits until every model
 * version has loaded or failed.
 */
export async function startService(
  overrides: Partial<ServiceConfig>,
  options: { listen?: boolean; allowWorkerExitMessage?: boolean; observers?: readonly InferenceObserver[] } = {},
): Promise<TestService> {
  const config = loadConfig({}, { workerThreads: 1, intraOpThreads: 1, logLevel: 'warn', ...overrides });
  const logs: TestService['logs'] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as TestService['logs'][number]);
      done();
    },
  });
  const instance = Fastify({ logger: { level: config.logLevel, stream }, bodyLimit: config.bodyLimitBytes });
  await instance.register(app, { config, allowWorkerExitMessage: options.allowWorkerExitMessage === true, observers: options.observers ?? [] });
  await instance.ready();
  await instance.modelsLoaded;
  const url = options.listen ? await instance.listen({ host: '127.0.0.1', port: 0 }) : '';
  return { app: instance, logs, url, close: () => instance.close() };
}
