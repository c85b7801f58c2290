/**
 * A minimal V2-shaped app for testing the production layer in isolation: the real production plugin, and a tiny
 * "row sum" model route standing in for the batcher (input x FP32 [n,k] → output y FP32 [n]). The service's real
 * routes are exercised by the integration tests (test/production-*.test.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetrics, type InferenceMetrics } from '../../src/metrics/instruments.js';
import { loggingServerOptions } from '../../src/logging/options.js';
import { productionConfigFromEnv, type Env } from '../../src/production/config.js';
import productionPlugin from '../../src/production/plugin.js';
import type { DrainState } from '../../src/shutdown/drain.js';

export interface Fixture {
  readonly app: FastifyInstance;
  readonly metrics: InferenceMetrics;
  readonly drain: DrainState;
  /** How many times the model route really computed. */
  computed(): number;
}

export async function fixtureApp(env: Env, options: { logStream?: NodeJS.WritableStream; computeMs?: number } = {}): Promise<Fixture> {
  const config = productionConfigFromEnv(env);
  const app = Fastify({
    bodyLimit: Number(env.BODY_LIMIT_BYTES ?? 1024 * 1024),
    ...loggingServerOptions({ level: options.logStream ? 'info' : 'silent', stream: options.logStream }),
  });
  const metrics = createMetrics({ processMetrics: false });
  const drain: DrainState = { draining: false };
  let computed = 0;
  await app.register(productionPlugin, {
    config,
    metrics,
    drain,
    resolveVersion: (model, version) => (model === 'demo' && (version === undefined || version === '1') ? '1' : undefined),
  });
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async () => ({ ready: true }));
  app.get('/v2/models/:model', async (request, reply) => {
    const { model } = request.params as { model: string };
    return model === 'demo' ? { name: 'demo', versions: ['1'], platform: 'onnxruntime_onnx' } : reply.code(404).send({ error: 'unknown model' });
  });
  const infer = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const { model } = request.params as { model: string };
    if (model !== 'demo') return reply.code(404).send({ error: `unknown model "${model}"` });
    const body = request.body as { id?: string; inputs?: Array<{ name: string; shape: number[]; data: number[] }> };
    const x = body.inputs?.[0];
    if (!x || x.shape.length !== 2) return reply.code(400).send({ error: 'input x must be [n,k]' });
    if (options.computeMs) await new Promise((r) => setTimeout(r, options.computeMs));
    computed++;
    const flat = (x.data as unknown[]).flat(2) as number[];
    const [n = 0, k = 0] = x.shape;
    const y = Array.from({ length: n }, (_, i) => Math.fround(flat.slice(i * k, i * k + k).reduce((a, b) => a + b, 0)));
    return { model_name: 'demo', model_version: '1', ...(body.id !== undefined ? { id: body.id } : {}), outputs: [{ name: 'y', datatype: 'FP32', shape: [n], data: y }] };
  };
  app.post('/v2/models/:model/infer', infer);
  app.post('/v2/models/:model/versions/:version/infer', infer);
  await app.ready();
  return { app, metrics, drain, computed: () => computed };
}

export function inferBody(values: number[][], extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [values.length, values[0]?.length ?? 0], data: values.flat() }],
  };
}
