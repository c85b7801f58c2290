/**
 * A slow Redis must not slow the service down: the cache read gives up after CACHE_REDIS_TIMEOUT_MS, the answer is
 * computed, and the error is counted.
 *
 * Redis is frozen with SIGSTOP before the request goes out (it keeps its connections, commands just wait), so the
 * service's GET cannot be answered however the machine schedules the test: no race against a sleeping command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';
import { redisAvailable, startRedis, type RedisProcess } from './production-support/redis-server.js';

/** How long Redis stays frozen at most; far above the 100 ms command timeout so only a service that waits on Redis misses it. */
const frozenAtMostMs = 10_000;

describe.runIf(redisAvailable)('slow Redis', () => {
  let redis: RedisProcess;
  let service: RealService;
  beforeAll(async () => {
    redis = await startRedis();
    service = await realService({ AUTH_MODE: 'none', REDIS_URL: redis.url, CACHE_REDIS_TIMEOUT_MS: '100' });
  });
  afterAll(async () => {
    redis?.resume();
    await service?.app.close();
    await redis?.stop();
  });

  it('answers from the model while Redis is frozen, before Redis wakes up', async () => {
    const post = () => service.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: demoInfer(5) });
    // The write is fire-and-forget: poll until the answer is in Redis, so the frozen read below has a hit to miss.
    let warm = 'miss';
    for (let i = 0; i < 100 && warm !== 'hit'; i++) {
      warm = String((await post()).headers['x-inference-cache']);
      if (warm !== 'hit') await new Promise((r) => setTimeout(r, 50));
    }
    expect(warm).toBe('hit');

    const order: string[] = [];
    redis.pause();
    const wake = setTimeout(() => {
      order.push('redis awake');
      redis.resume();
    }, frozenAtMostMs);
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res = await post();
      order.push('answered');
    } finally {
      clearTimeout(wake);
      redis.resume();
    }
    expect(order).toEqual(['answered']); // answered while Redis was still frozen
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-inference-cache']).toBe('miss'); // the hit was unreachable: computed instead
    const text = await service.production.metrics.registry.metrics();
    expect(text).toMatch(/inference_cache_errors_total\{operation="get"\} [1-9]/);
  });
});
