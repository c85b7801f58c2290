/**
 * The JWT attack table against the production layer (fixture route) with a PEM key, and JWKS rotation against a
 * real local JWKS endpoint. The same table runs against the real service in production-service.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureApp, inferBody, type Fixture } from './production-support/fixture-app.js';
import { attackTable } from './production-support/attack-table.js';
import { audience, issuer, jwksOf, rsaKeys, sign } from './production-support/tokens.js';

const keys = rsaKeys();
let fx: Fixture;

beforeAll(async () => {
  fx = await fixtureApp({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem });
});
afterAll(() => fx.app.close());

describe('JWT attack table (PEM key)', async () => {
  const table = await attackTable(keys);
  it.each(table)('$name → $status', async ({ headers, status, challenge, scope }) => {
    const res = await fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', headers, payload: inferBody([[1, 2]]) });
    expect(res.statusCode).toBe(status);
    if (challenge !== undefined) {
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="inference"/);
      expect(res.headers['www-authenticate']).toMatch(challenge);
    }
    if (scope) expect(res.json()).toEqual(expect.objectContaining({ outputs: expect.any(Array) }));
  });

  it('keeps health probes open and asks models:read for metadata', async () => {
    expect((await fx.app.inject({ url: '/v2/health/ready' })).statusCode).toBe(200);
    const inferOnly = await sign(keys, { scope: 'infer' });
    const res = await fx.app.inject({ url: '/v2/models/demo', headers: { authorization: `Bearer ${inferOnly}` } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toContain('scope="models:read"');
    const reader = await sign(keys, { scope: 'models:read' });
    expect((await fx.app.inject({ url: '/v2/models/demo', headers: { authorization: `Bearer ${reader}` } })).statusCode).toBe(200);
  });

  it('counts refusals by reason', async () => {
    const text = await fx.metrics.registry.metrics();
    expect(text).toMatch(/inference_auth_failures_total\{reason="invalid_token"\} [1-9]/);
    expect(text).toMatch(/inference_auth_failures_total\{reason="missing_token"\} [1-9]/);
    expect(text).toMatch(/inference_auth_failures_total\{reason="insufficient_scope"\} [1-9]/);
  });
});

describe('JWKS_URL', () => {
  let jwksServer: Server;
  let current: object;
  let fetches = 0;
  let jfx: Fixture;
  const first = rsaKeys();
  const second = rsaKeys();

  beforeAll(async () => {
    current = await jwksOf(first, 'k1');
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(current));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address() as { port: number };
    jfx = await fixtureApp({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWKS_URL: `http://127.0.0.1:${address.port}/jwks`, JWKS_COOLDOWN_SECONDS: '0' });
  });
  afterAll(async () => {
    await jfx.app.close();
    jwksServer.close();
  });

  it('caches the key set and follows a rotation to a new kid', async () => {
    const call = async (token: string) =>
      (await jfx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', headers: { authorization: `Bearer ${token}` }, payload: inferBody([[1]]) })).statusCode;
    expect(await call(await sign(first, { kid: 'k1' }))).toBe(200);
    expect(await call(await sign(first, { kid: 'k1' }))).toBe(200);
    expect(fetches).toBe(1);
    // The issuer rotates: new kid published, old one withdrawn.
    current = await jwksOf(second, 'k2');
    expect(await call(await sign(second, { kid: 'k2' }))).toBe(200);
    expect(fetches).toBe(2);
    // A token signed by an unknown key is refused, not a server error.
    expect(await call(await sign(rsaKeys(), { kid: 'k3' }))).toBe(401);
  });
});

describe('JWKS_URL unreachable', () => {
  it('answers 503 + Retry-After (our problem, not the caller’s) and counts reason="unavailable"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there any more
    const down = await fixtureApp({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWKS_URL: `http://127.0.0.1:${port}/jwks` });
    try {
      const res = await down.app.inject({
        method: 'POST',
        url: '/v2/models/demo/infer',
        headers: { authorization: `Bearer ${await sign(keys, { kid: 'k1' })}` },
        payload: inferBody([[1]]),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.json()).toEqual({ error: 'token could not be verified' });
      expect(await down.metrics.registry.metrics()).toMatch(/inference_auth_failures_total\{reason="unavailable"\} 1/);
    } finally {
      await down.app.close();
    }
  });
});
