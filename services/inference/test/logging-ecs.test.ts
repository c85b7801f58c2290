/** ECS JSON logs: request id propagation, redaction, one audit record per inference call without tensor data. */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureApp, inferBody, type Fixture } from './production-support/fixture-app.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';

const keys = rsaKeys();
const lines: Array<Record<string, unknown>> = [];
let fx: Fixture;

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  fx = await fixtureApp({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem }, { logStream: stream });
});
afterAll(() => fx.app.close());

const settle = () => new Promise((r) => setTimeout(r, 20));
const audits = () => lines.filter((l) => (l.labels as { audit?: string } | undefined)?.audit === 'true');

describe('ECS logs', () => {
  it('writes one ECS audit record per inference call, echoing the caller x-request-id', async () => {
    const token = await sign(keys, { sub: 'svc-frontend', tenant: 'acme', scope: 'infer' });
    const res = await fx.app.inject({
      method: 'POST',
      url: '/v2/models/demo/infer',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-abc.123' },
      payload: inferBody([[0.123456, 0.654321]]),
    });
    await settle();
    expect(res.headers['x-request-id']).toBe('trace-abc.123');
    const records = audits();
    expect(records).toHaveLength(1);
    const audit = records[0]!;
    expect(audit).toMatchObject({
      'log.level': 'info',
      'ecs.version': expect.stringMatching(/^\d+\.\d+/),
      'http.request.id': 'trace-abc.123',
      message: 'inference audit',
      event: { kind: 'event', dataset: 'inference.audit', outcome: 'success', action: 'inference' },
      user: { id: 'svc-frontend' },
      organization: { id: 'acme' },
      inference: { model: 'demo', version: '1', status: 200, cache_hit: false, cache: 'miss', scopes: ['infer'] },
      http: { response: { status_code: 200 } },
    });
    expect(typeof audit['@timestamp']).toBe('string');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('0.123456'); // never tensor data
    expect(text).not.toContain(token.slice(-20)); // never the token
  });

  it('generates a request id when the caller sent none or an unsafe one', async () => {
    const res = await fx.app.inject({ url: '/v2/health/live', headers: { 'x-request-id': 'bad id\n{"forged":1}' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('audits refusals too, as failures with the unauthenticated subject', async () => {
    lines.length = 0;
    await fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[1]]) });
    await settle();
    expect(audits()[0]).toMatchObject({ event: { outcome: 'failure' }, user: { id: 'unauthenticated' }, inference: { status: 401 } });
  });

  it('redacts authorization headers and secrets wherever they are logged', async () => {
    lines.length = 0;
    fx.app.log.info({ req: { headers: { authorization: 'Bearer sekret' } }, config: { token: 't0k', password: 'pw' } }, 'debug dump');
    await settle();
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/sekret|t0k|"pw"/);
    expect(text).toContain('[REDACTED]');
  });
});
