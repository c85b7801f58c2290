/**
 * The result cache of the real service (demo model, batcher, worker thread) against a real redis-server started by
 * this test: hit, miss, TTL expiry, encryption at rest, tampered value, and Redis killed while traffic flows
 * (zero failed requests, automatic reconnection).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';
import { startRedis, redisAvailable, type RedisProcess } from './production-support/redis-server.js';

const encryptionKey = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
let redis: RedisProcess;
let raw: Redis;
let fx: RealService;

const post = (payload: unknown) => fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: payload as object });
const cacheKeys = async () => (await raw.keys('inference:cache:*')).sort();
const metric = async (series: string) => {
  const line = (await fx.production.metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0);
};
/** Runs `request` and returns the Redis key it created. */
const newKey = async (request: () => Promise<unknown>) => {
  const before = new Set(await cacheKeys());
  await request();
  let created: string[] = [];
  await until(async () => (created = (await cacheKeys()).filter((k) => !before.has(k))).length === 1);
  return created[0]!;
};
const until = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.runIf(redisAvailable)('result cache on real Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    raw.on('error', () => {});
    await raw.connect();
    fx = await realService({
      AUTH_MODE: 'none',
      REDIS_URL: redis.url,
      CACHE_TTL_SECONDS: '3',
      // Generous per-command bound: test machines are busy; the outage test below does not depend on it.
      CACHE_REDIS_TIMEOUT_MS: '1000',
      CACHE_ENCRYPTION_KEY: encryptionKey,
      CACHE_HMAC_KEY: 'a-shared-hmac-key-of-at-least-32-chars',
    });
    await until(async () => (await post(demoInfer(0))).headers['x-inference-cache'] === 'miss');
  });
  afterAll(async () => {
    await fx?.app.close();
    raw?.disconnect();
    await redis?.stop();
  });

  it('misses, stores encrypted with a TTL, then hits byte-identically', async () => {
    let first = await post(demoInfer(0));
    const key = await newKey(async () => (first = await post(demoInfer(3, { id: 'a' }))));
    expect(first.headers['x-inference-cache']).toBe('miss');
    const record = (await raw.getBuffer(key))!;
    expect(record.subarray(0, 2).toString()).toBe('E1');
    expect(record.includes(Buffer.from('model_name')) || record.includes(Buffer.from('outputs'))).toBe(false); // ciphertext, not the answer
    expect(await raw.pttl(key)).toBeGreaterThan(0);
    const second = await post(demoInfer(3, { id: 'a' }));
    expect(second.headers['x-inference-cache']).toBe('hit');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
  });

  it('expires entries after CACHE_TTL_SECONDS', async () => {
    const key = await newKey(() => post(demoInfer(7)));
    expect((await post(demoInfer(7))).headers['x-inference-cache']).toBe('hit');
    const ttl = await raw.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3000);
    await until(async () => (await raw.exists(key)) === 0, 5000); // Redis expires it, not us
    expect((await post(demoInfer(7))).headers['x-inference-cache']).toBe('miss');
  });

  it('treats a tampered value as a miss and recomputes', async () => {
    let computed = await post(demoInfer(0));
    const key = await newKey(async () => (computed = await post(demoInfer(11))));
    const record = (await raw.getBuffer(key))!;
    record[record.length - 1]! ^= 0xff;
    await raw.set(key, record, 'EX', 60);
    const errorsBefore = await metric('inference_cache_errors_total{operation="decrypt"}');
    const after = await post(demoInfer(11));
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-inference-cache']).toBe('miss');
    expect(after.body).toBe(computed.body);
    expect(await metric('inference_cache_errors_total{operation="decrypt"}')).toBe(errorsBefore + 1);
  });

  it('serves every request while Redis is killed, then reconnects by itself', async () => {
    let failed = 0;
    let served = 0;
    let servedDuringOutage = 0;
    let outage = false;
    let running = true;
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        const res = await post(demoInfer(100 + (i % 5)));
        if (res.statusCode === 200) served++;
        else failed++;
        if (outage && res.statusCode === 200) servedDuringOutage++;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const errorsBefore = await metric('inference_cache_errors_total{operation="get"}');
    await redis.kill();
    outage = true;
    await until(async () => servedDuringOutage >= 10);
    expect(await metric('inference_cache_errors_total{operation="get"}')).toBeGreaterThan(errorsBefore);
    outage = false;
    redis = await startRedis(redis.port);
    raw.disconnect();
    raw = new Redis(redis.url);
    raw.on('error', () => {});
    // Reconnection is automatic: a repeated request hits again without any restart.
    await until(async () => {
      await post(demoInfer(84));
      return (await post(demoInfer(84))).headers['x-inference-cache'] === 'hit';
    }, 8000);
    running = false;
    await traffic;
    expect(failed).toBe(0);
    expect(servedDuringOutage).toBeGreaterThanOrEqual(10);
    expect(served).toBeGreaterThan(servedDuringOutage);
  });
});
