/** Admission control: body limit, element count, in-flight cap, per-subject rate limit. */
import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../src/limits/token-bucket.js';
import { limitsConfigFromEnv } from '../src/limits/config.js';
import { fixtureApp, inferBody } from './production-support/fixture-app.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';

describe('token buckets', () => {
  it('allows the burst, then the rate, and says when to retry', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 3, 100, () => now);
    expect([1, 2, 3, 4].map(() => buckets.takeSync('a').allowed)).toEqual([true, true, true, false]);
    expect(buckets.takeSync('a').retryAfterSeconds).toBe(1);
    expect(buckets.takeSync('b').allowed).toBe(true); // subjects are independent
    now = 500; // half a second → one token at 2/s
    expect(buckets.takeSync('a').allowed).toBe(true);
    expect(buckets.takeSync('a').allowed).toBe(false);
  });

  it('forgets the least recently seen subject beyond the bound', () => {
    const buckets = new TokenBuckets(1, 1, 2, () => 0);
    buckets.takeSync('a');
    buckets.takeSync('b');
    buckets.takeSync('c'); // evicts a
    expect(buckets.takeSync('a').allowed).toBe(true);
  });
});

describe('limits on the inference route', () => {
  it('answers 413 above the infer body limit and 400 above the element limit', async () => {
    const fx = await fixtureApp({ AUTH_MODE: 'none', BODY_LIMIT_BYTES: '2000', ADMIN_BODY_LIMIT_BYTES: '100', MAX_REQUEST_ELEMENTS: '100' });
    const big = await fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([Array.from({ length: 1000 }, () => 1.5)]) });
    expect(big.statusCode).toBe(413);
    const many = await fx.app.inject({
      method: 'POST',
      url: '/v2/models/demo/infer',
      payload: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1000, 1000], data: [] }] },
    });
    expect(many.statusCode).toBe(400);
    expect(many.json().error).toMatch(/declares 1000000 tensor elements.*limit is 100 \(MAX_REQUEST_ELEMENTS\)/);
    // Other routes get the small admin limit.
    const admin = await fx.app.inject({ method: 'POST', url: '/v2/admin/cache/purge', payload: { pad: 'x'.repeat(200) } });
    expect(admin.statusCode).toBe(413);
    await fx.app.close();
  });

  it('sheds load beyond MAX_INFLIGHT_REQUESTS with 503 + Retry-After and only 200/503 answers', async () => {
    const fx = await fixtureApp({ AUTH_MODE: 'none', MAX_INFLIGHT_REQUESTS: '4' }, { computeMs: 50 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[i, 0]]) })),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 503)).toHaveLength(16);
    const shed = results.find((r) => r.statusCode === 503)!;
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.json().error).toMatch(/MAX_INFLIGHT_REQUESTS/);
    expect(fx.app.inflightInferenceCalls()).toBe(0);
    expect(await fx.metrics.registry.metrics()).toContain('inference_rejected_total{reason="overload"} 16');
    await fx.app.close();
  });

  it('rate limits per subject with 429 + Retry-After', async () => {
    const keys = rsaKeys();
    const fx = await fixtureApp({
      JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2',
    });
    const call = async (sub: string) =>
      fx.app.inject({
        method: 'POST',
        url: '/v2/models/demo/infer',
        headers: { authorization: `Bearer ${await sign(keys, { sub, scope: 'infer' })}` },
        payload: inferBody([[1, 2]], { parameters: { cache: false } }),
      });
    const alice = [await call('alice'), await call('alice'), await call('alice')];
    expect(alice.map((r) => r.statusCode)).toEqual([200, 200, 429]);
    expect(Number(alice[2]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await call('bob')).statusCode).toBe(200);
    await fx.app.close();
  });

  it('validates its settings', () => {
    expect(limitsConfigFromEnv({})).toMatchObject({ maxInflight: 256, ratePerSecond: 0, maxRequestElements: 4194304 });
    expect(limitsConfigFromEnv({ RATE_LIMIT_PER_SECOND: '50' }).burst).toBe(100);
    expect(() => limitsConfigFromEnv({ MAX_INFLIGHT_REQUESTS: '0' })).toThrow(/MAX_INFLIGHT_REQUESTS must be an integer ≥ 1/);
  });
});
