/** Admission control: body limit, element count, in-flight cap, per-subject rate limit. */
import { createServer, request } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AdmissionGate, isInferRequest } from '../src/limits/admission-gate.js';
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

  it('sheds load beyond MAX_INFLIGHT_REQUESTS below Fastify with 503 + Retry-After, metering only infer calls', async () => {
    // Admitted calls hold their slot until the test has seen every other call shed, so 4 admitted and 16 shed is
    // fixed by the gate's rule, not by how fast a loaded machine accepts 20 connections.
    const shed: string[] = [];
    let admitted = 0;
    let saturated!: () => void;
    const allArrived = new Promise<void>((resolve) => (saturated = resolve));
    const arrived = () => admitted + shed.length === 20 && saturated();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const gate = new AdmissionGate({ maxInflight: 4, onReject: (path) => (shed.push(path), arrived()) });
    const app = Fastify({ serverFactory: (handler) => createServer(gate.wrap(handler)) });
    app.post('/v2/models/:model/infer', async () => {
      admitted++;
      arrived();
      await released;
      return { ok: true };
    });
    app.get('/v2/health/ready', async () => ({ ready: true }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(url);
    // One connection per request, all opened at once (fetch would ramp its connection pool up gradually).
    const call = () =>
      new Promise<{ status: number; retryAfter?: string; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/v2/models/demo/infer?x=1', method: 'POST', agent: false,
          headers: { 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body }));
        });
        req.on('error', reject);
        req.end('{}');
      });
    const pending = Array.from({ length: 20 }, call);
    // Every call is now admitted (and held) or shed; a call lost on the way fails the counts below instead of hanging.
    const safety = setTimeout(saturated, 10_000);
    await allArrived;
    clearTimeout(safety);
    expect(gate.inflight).toBe(4);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200); // probes are never shed, even at the cap
    release();
    const results = await Promise.all(pending);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 503)).toHaveLength(16);
    const refused = results.find((r) => r.status === 503)!;
    expect(refused.retryAfter).toBe('1');
    expect(JSON.parse(refused.body).error).toMatch(/MAX_INFLIGHT_REQUESTS/);
    expect(shed).toHaveLength(16);
    expect(shed[0]).toBe('/v2/models/demo/infer?x=1');
    expect(gate.inflight).toBe(0);
    expect(isInferRequest('GET', '/v2/models/demo/infer')).toBe(false);
    await app.close();
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
