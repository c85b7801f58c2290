/** The per-subject rate limit shared by replicas through a real redis-server, and its local fallback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureApp, inferBody, type Fixture } from './production-support/fixture-app.js';
import { redisAvailable, startRedis, type RedisProcess } from './production-support/redis-server.js';

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

  const call = (replica: Fixture) =>
    replica.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[1, 2]]), remoteAddress: '10.0.0.7' });

  it('counts one subject across replicas, and falls back to local buckets when Redis is gone', async () => {
    // Align to the start of a one-second window so the whole burst lands in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(replicas[i % 2]!)).statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4); // the burst, shared by both replicas
    expect(statuses.slice(4)).toEqual([429, 429]);

    await redis.kill();
    await new Promise((r) => setTimeout(r, 100));
    const local = [];
    for (let i = 0; i < 6; i++) local.push((await call(replicas[0]!)).statusCode);
    expect(local.every((s) => s === 200 || s === 429)).toBe(true);
    expect(local).toContain(429); // still limited, per replica
  });
});
