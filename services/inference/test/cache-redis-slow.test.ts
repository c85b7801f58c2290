/**
 * A slow Redis (blocked by DEBUG SLEEP) must not slow the service down: the cache read gives up after
 * CACHE_REDIS_TIMEOUT_MS, the answer is computed, and the error is counted.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';
import { redisAvailable, startRedis, type RedisProcess } from './production-support/redis-server.js';

describe.runIf(redisAvailable)('slow Redis', () => {
  let redis: RedisProcess;
  let service: RealService;
  beforeAll(async () => {
    redis = await startRedis(undefined, ['--enable-debug-command', 'yes']);
    service = await realService({ AUTH_MODE: 'none', REDIS_URL: redis.url, CACHE_REDIS_TIMEOUT_MS: '100' });
  });
  afterAll(async () => {
    await service?.app.close();
    await redis?.stop();
  });

  it('answers from the model while Redis is blocked, before Redis wakes up', async () => {
    const post = () => service.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: demoInfer(5) });
    for (let i = 0; i < 20 && (await post()).headers['x-inference-cache'] !== 'hit'; i++) await new Promise((r) => setTimeout(r, 50));
    const blocker = new Redis(redis.url);
    const order: string[] = [];
    const sleeping = blocker.call('DEBUG', 'SLEEP', '2').then(() => order.push('redis awake'));
    await new Promise((r) => setTimeout(r, 50)); // the DEBUG SLEEP is running
    const res = await post();
    order.push('answered');
    await sleeping;
    blocker.disconnect();
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-inference-cache']).toBe('miss'); // the hit was unreachable: computed instead
    expect(order).toEqual(['answered', 'redis awake']);
    const text = await service.production.metrics.registry.metrics();
    expect(text).toMatch(/inference_cache_errors_total\{operation="get"\} [1-9]/);
  });
});
