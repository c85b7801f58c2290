/**
 * Stable and canary pods share Redis. When the canary serves a retrained model under the same name and version
 * number, the two must not answer from each other's cache entries: the key carries the SHA-256 of the model bytes
 * each pod loaded. Pods with the same bytes still share entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { pairModel } from './helpers/fixture-models.js';
import { realService, type RealService } from './production-support/real-service.js';
import { redisAvailable, startRedis, type RedisProcess } from './production-support/redis-server.js';

let redis: RedisProcess;
const repos: FixtureRepository[] = [];
let stable: RealService;
let canary: RealService;
let stableTwin: RealService;

/** `pair` version 1 with a given scale (sum = (a + b) · scale), served by its own service on the shared Redis. */
async function serviceWithScale(scale: number): Promise<RealService> {
  const repo = await FixtureRepository.create();
  repos.push(repo);
  await repo.addVersion('pair', 1, pairModel(scale));
  return realService(
    { AUTH_MODE: 'none', REDIS_URL: redis.url, CACHE_HMAC_KEY: 'one-hmac-key-shared-by-stable-and-canary', CACHE_REDIS_TIMEOUT_MS: '1000' },
    undefined,
    { modelRepository: repo.root },
  );
}

const body = { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }, { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] }], outputs: [{ name: 'sum' }] };
const infer = (service: RealService) => service.app.inject({ method: 'POST', url: '/v2/models/pair/versions/1/infer', payload: body });
const sumOf = (payload: string) => (JSON.parse(payload) as { outputs: Array<{ data: number[] }> }).outputs[0]?.data;

/** Cache writes are fire-and-forget; wait until the stable pod's answer is in Redis. */
async function untilCached(service: RealService): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await infer(service)).headers['x-inference-cache'] === 'hit') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the answer was never cached');
}

describe.runIf(redisAvailable)('result cache key carries the model fingerprint', () => {
  beforeAll(async () => {
    redis = await startRedis();
    stable = await serviceWithScale(2);
    canary = await serviceWithScale(3);
    stableTwin = await serviceWithScale(2);
  });
  afterAll(async () => {
    for (const service of [stable, canary, stableTwin]) await service?.app.close();
    await redis?.stop();
    for (const repo of repos) await repo.remove();
  });

  it('a different model file under the same name and version computes its own answer', async () => {
    const first = await infer(stable);
    expect(first.statusCode).toBe(200);
    expect(sumOf(first.payload)).toEqual([4, 6, 8]);
    await untilCached(stable);
    const other = await infer(canary);
    expect(other.headers['x-inference-cache']).toBe('miss');
    expect(sumOf(other.payload)).toEqual([6, 9, 12]);
  });

  it('the same model bytes on another pod share the cached answer', async () => {
    await untilCached(stable);
    const twin = await infer(stableTwin);
    expect(twin.headers['x-inference-cache']).toBe('hit');
    expect(sumOf(twin.payload)).toEqual([4, 6, 8]);
  });

  it('a reload during the cache lookup does not store the new answer under the old fingerprint', async () => {
    const service = await serviceWithScale(1);
    const repo = repos.at(-1)!;
    try {
      const same = { ...body, inputs: body.inputs.map((i) => ({ ...i, data: i.data.map((x) => x + 10) })) };
      const ask = () => service.app.inject({ method: 'POST', url: '/v2/models/pair/versions/1/infer', payload: same });
      redis.pause(); // the lookup's GET now waits: the window a reload can fall into
      let answered: ReturnType<typeof ask> | undefined;
      try {
        answered = ask();
        await new Promise((r) => setTimeout(r, 200));
        await repo.addVersion('pair', 1, pairModel(4));
        expect((await service.app.modelRegistry.reload('pair')).failed).toEqual([]);
      } finally {
        redis.resume();
      }
      const during = await answered!;
      expect(during.headers['x-inference-cache']).toBe('miss');
      expect(sumOf(during.payload)).toEqual([88, 92, 96]); // computed by the scale-4 model
      await new Promise((r) => setTimeout(r, 300)); // a store (if any) is fire-and-forget
      await repo.addVersion('pair', 1, pairModel(1)); // back to the first bytes and fingerprint
      expect((await service.app.modelRegistry.reload('pair')).failed).toEqual([]);
      const after = await ask();
      expect(after.headers['x-inference-cache']).toBe('miss');
      expect(sumOf(after.payload)).toEqual([22, 23, 24]);
    } finally {
      await service.app.close();
    }
  });

  it('the served version reports the SHA-256 of the bytes it loaded', () => {
    const sha = (service: RealService) => service.app.modelRegistry.resolve('pair', '1').sha256;
    expect(sha(stable)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha(stable)).toBe(sha(stableTwin));
    expect(sha(stable)).not.toBe(sha(canary));
  });
});
