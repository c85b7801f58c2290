/**
 * inference_rejected_total on the real service: the batcher's full queue (429) counts reason queue_full, and API
 * requests refused while draining (503) count reason shutting_down; health probes during the drain do not.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';

let repo: FixtureRepository;
let fx: RealService;

const rejected = async (reason: string): Promise<number> => {
  const text = await fx.production.metrics.registry.metrics();
  return Number(new RegExp(`^inference_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};
const infer = (seed: number) => fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: demoInfer(seed) });

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addDemo('demo');
  const config = JSON.parse(await readFile(join(repo.root, 'demo', 'config.json'), 'utf8'));
  // Queue of 2 and a 1 s batching delay: two requests fill the queue, whatever the machine's speed.
  await repo.writeConfig('demo', { ...config, batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: 1_000_000, maxQueueSize: 2 } });
  fx = await realService({ AUTH_MODE: 'none', CACHE_ENABLED: 'false' }, undefined, { modelRepository: repo.root });
});
afterAll(async () => {
  await fx?.app.close();
  await repo?.remove();
});

describe('inference_rejected_total', () => {
  it('counts the batcher refusing a request because its queue is full (reason queue_full)', async () => {
    const full = new Promise<void>((resolve) => {
      const off = fx.app.inferenceEvents.add({ onQueueDepth: (e) => e.depth === 2 && (off(), resolve()) });
    });
    const queued = [infer(1), infer(2)];
    await full;
    const refused = await infer(3);
    expect(refused.statusCode).toBe(429);
    expect(await rejected('queue_full')).toBe(1);
    expect((await Promise.all(queued)).map((r) => r.statusCode)).toEqual([200, 200]);
    expect(await rejected('queue_full')).toBe(1);
  });

  it('counts API requests refused while draining (reason shutting_down), not health probes', async () => {
    fx.production.drain.draining = true;
    try {
      expect((await infer(4)).statusCode).toBe(503);
      expect((await fx.app.inject({ method: 'GET', url: '/v2/models/demo' })).statusCode).toBe(503);
      expect((await fx.app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(503);
      expect((await fx.app.inject({ method: 'GET', url: '/v2/health/live' })).statusCode).toBe(200);
      expect(await rejected('shutting_down')).toBe(2);
    } finally {
      fx.production.drain.draining = false;
    }
  });
});
