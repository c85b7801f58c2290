/** Result cache on the inference route, in-process LRU store (the default), through the production plugin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureApp, inferBody, type Fixture } from './production-support/fixture-app.js';
import { rsaKeys, sign, issuer, audience } from './production-support/tokens.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await fixtureApp({ AUTH_MODE: 'none' });
});
afterAll(() => fx.app.close());

const post = (payload: unknown, url = '/v2/models/demo/infer', headers: Record<string, string> = {}) =>
  fx.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('result cache (LRU)', () => {
  it('answers a repeated request from the cache, byte-identical, with its own id', async () => {
    const before = fx.computed();
    const first = await post(inferBody([[0.1, 0.2], [0.3, 0.4]], { id: 'req-1' }));
    const second = await post(inferBody([[0.1, 0.2], [0.3, 0.4]], { id: 'req-1' }));
    const third = await post(inferBody([[0.1, 0.2], [0.3, 0.4]], { id: 'other' }));
    expect([first.headers['x-inference-cache'], second.headers['x-inference-cache'], third.headers['x-inference-cache']]).toEqual(['miss', 'hit', 'hit']);
    expect(fx.computed() - before).toBe(1);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(third.body).toBe(first.body.replace('"req-1"', '"other"'));
  });

  it('shares entries between the versioned and unversioned URL of the same version', async () => {
    await post(inferBody([[5, 6]]));
    const res = await post(inferBody([[5, 6]]), '/v2/models/demo/versions/1/infer');
    expect(res.headers['x-inference-cache']).toBe('hit');
  });

  it('honours the per-request opt-out parameters.cache = false (neither read nor written)', async () => {
    await post(inferBody([[7, 7]]));
    const before = fx.computed();
    const res = await post(inferBody([[7, 7]], { parameters: { cache: false } }));
    expect(res.headers['x-inference-cache']).toBe('bypass');
    expect(fx.computed() - before).toBe(1);
    await post(inferBody([[8, 8]], { parameters: { cache: false } }));
    expect((await post(inferBody([[8, 8]]))).headers['x-inference-cache']).toBe('miss');
  });

  it('never caches errors', async () => {
    const bad = { inputs: [{ name: 'x', datatype: 'FP32', shape: [3], data: [1, 2, 3] }] };
    expect((await post(bad)).statusCode).toBe(400);
    const again = await post(bad);
    expect(again.statusCode).toBe(400);
    expect(again.headers['x-inference-cache']).toBe('miss');
  });

  it('purges on the admin route', async () => {
    await post(inferBody([[9, 9]]));
    const purge = await fx.app.inject({ method: 'POST', url: '/v2/admin/cache/purge' });
    expect(purge.statusCode).toBe(200);
    expect(purge.json().purged).toBeGreaterThan(0);
    expect((await post(inferBody([[9, 9]]))).headers['x-inference-cache']).toBe('miss');
  });
});

describe('result cache with auth', () => {
  it('never serves one tenant the results of another', async () => {
    const keys = rsaKeys();
    const auth = await fixtureApp({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem });
    const call = async (sub: string) =>
      auth.app.inject({
        method: 'POST',
        url: '/v2/models/demo/infer',
        headers: { authorization: `Bearer ${await sign(keys, { sub, scope: 'infer' })}` },
        payload: inferBody([[1, 1]]),
      });
    expect((await call('alice')).headers['x-inference-cache']).toBe('miss');
    expect((await call('bob')).headers['x-inference-cache']).toBe('miss');
    expect((await call('alice')).headers['x-inference-cache']).toBe('hit');
    await auth.app.close();
  });

  it('shares answers within a tenant, and a subject named like a tenant is not in that tenant', async () => {
    const keys = rsaKeys();
    const auth = await fixtureApp({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem });
    const call = async (sub: string, tenant?: string) =>
      (
        await auth.app.inject({
          method: 'POST',
          url: '/v2/models/demo/infer',
          headers: { authorization: `Bearer ${await sign(keys, { sub, tenant, scope: 'infer' })}` },
          payload: inferBody([[2, 3]]),
        })
      ).headers['x-inference-cache'];
    expect(await call('alice', 'acme')).toBe('miss');
    expect(await call('bob', 'acme')).toBe('hit'); // same tenant
    expect(await call('acme')).toBe('miss'); // sub "acme" without a tenant claim: its own partition
    expect(await call('acme')).toBe('hit');
    await auth.app.close();
  });
});
