/** The per-subject rate limit shared by replicas through a real redis-server, and its local fallback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureApp, inferBody, type Fixture } from './production-support/fixture-app.js';
import { redisAvailable, startRedis, type RedisProcess } from './production-support/redis-server.js';
import { Redis } from 'ioredis';
import { RedisWindowLimiter } from '../src/limits/redis-window.js';
import { TokenBuckets } from '../src/limits/token-bucket.js';

describe.runIf(redisAvailable)('rate limit in Redis', () => {
  let redis: RedisProcess;
  let replicas: Fixture[];

  beforeAll(async () => {
    redis = await startRedis();
    const env = { AUTH_MODE: 'none', REDIS_URL: redis.url, RATE_LIMIT_PER_SECOND: '2', RATE_LIMIT_BURST: '4', CACHE_ENABLED: 'false' };
    replicas = [await fixtureApp(env), await fixtureApp(env)];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.app.close();
    await redis?.stop();
  });

  const call = (replica: Fixture, ip: string) =>
    replica.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[1, 2]]), remoteAddress: ip });

  it('holds a subject to RATE_LIMIT_PER_SECOND sustained, not RATE_LIMIT_BURST per second', async () => {
    const client = new Redis(redis.url);
    try {
      // rate 1/s, burst 2: two calls at once, then the next only after the rate has earned it. The test drives the
      // limiter's clock, so a late timer cannot move a call into another window.
      const windowMs = 2000;
      const start = Math.ceil(Date.now() / windowMs) * windowMs; // the first instant of a window
      let now = start;
      const limiter = new RedisWindowLimiter(client, 2, new TokenBuckets(1, 2), undefined, () => now);
      expect(limiter.windowMs).toBe(windowMs);
      const first = [await limiter.take('sub:a'), await limiter.take('sub:a'), await limiter.take('sub:a')];
      expect(first.map((d) => d.allowed)).toEqual([true, true, false]);
      expect(first[2]?.retryAfterSeconds).toBe(2); // the whole window is still ahead
      // 1.1 s later a one-second window would have granted the burst again (2 calls/s sustained).
      now = start + 1100;
      const later = await limiter.take('sub:a');
      expect(later).toEqual({ allowed: false, retryAfterSeconds: 1 });
      expect((await limiter.take('sub:b')).allowed).toBe(true); // subjects are counted apart
      now = start + windowMs; // the next window: the burst again
      expect((await limiter.take('sub:a')).allowed).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('counts one subject across replicas, and falls back to local buckets when Redis is gone', async () => {
    // The replicas' limiters read the wall clock (window = 2 s, burst 4 / rate 2), so the six calls must land in
    // one window: start at a window's beginning, and should a loaded machine still stretch them across an edge,
    // repeat with a fresh subject — the counts are only meaningful inside one window.
    const windowMs = 2000;
    let statuses: number[] = [];
    for (let attempt = 1; ; attempt++) {
      await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 20));
      const began = Date.now();
      statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(replicas[i % 2]!, `10.0.0.${attempt}`)).statusCode);
      if (Math.floor(began / windowMs) === Math.floor(Date.now() / windowMs)) break;
      expect(attempt, 'six calls straddled a window edge three times').toBeLessThan(3);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(4); // the burst, shared by both replicas
    expect(statuses.slice(4)).toEqual([429, 429]);

    await redis.kill();
    await new Promise((r) => setTimeout(r, 100));
    const local = [];
    // Ten calls: the local bucket (burst 4, 2/s) refuses some unless they are spread over more than 3 s.
    for (let i = 0; i < 10; i++) local.push((await call(replicas[0]!, '10.0.1.1')).statusCode);
    expect(local.every((s) => s === 200 || s === 429)).toBe(true);
    expect(local).toContain(429); // still limited, per replica
    // The fallback is not silent: every failed Redis call is counted.
    const text = await replicas[0]!.metrics.registry.metrics();
    expect(Number(/inference_cache_errors_total\{operation="rate_limit"\} (\d+)/.exec(text)?.[1] ?? 0)).toBeGreaterThanOrEqual(6);
  });
});
