/**
 * gRPC under AUTH_MODE=jwt: the bearer token travels in the `authorization` metadata and meets the same verifier,
 * scopes and per-subject rate limit as REST, refusals carrying the REST message and challenge.
 */
import { Writable } from 'node:stream';
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcClient, type TestGrpcClient } from './production-support/grpc-client.js';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';

const keys = rsaKeys();
const lines: Array<Record<string, unknown>> = [];
let service: RealService;
let client: TestGrpcClient;

beforeAll(async () => {
  service = await realService(
    { AUTH_MODE: 'jwt', JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '1' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
    { grpcEnabled: true, grpcPort: 0 },
  );
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  client = grpcClient(`127.0.0.1:${await service.app.grpc!.listen()}`);
}, 60_000);

afterAll(async () => {
  client?.close();
  await service?.app.close();
});

const grpcInfer = (seed: number) => ({
  model_name: 'demo',
  inputs: demoInfer(seed).inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, contents: { int64_contents: t.data } })),
  outputs: [{ name: 'probabilities' }],
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('gRPC auth (JWT)', () => {
  it('keeps ServerLive and ServerReady open, like the REST health probes', async () => {
    expect((await client.call('ServerLive', {})).message).toEqual({ live: true });
    expect((await client.call('ServerReady', {})).message).toEqual({ ready: true });
  });

  it('UNAUTHENTICATED without a token, with the REST message and challenge', async () => {
    const res = await service.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: demoInfer(1) });
    expect(res.statusCode).toBe(401);
    const error = await client.fail('ModelInfer', grpcInfer(1));
    expect([error.code, error.details]).toEqual([Status.UNAUTHENTICATED, res.json().error]);
    expect(error.metadata.get('www-authenticate')).toEqual([res.headers['www-authenticate']]);
    expect((await client.fail('ServerMetadata', {})).code).toBe(Status.UNAUTHENTICATED);
    // Refused in the production layer's first hooks, and still audited as the gRPC call it was.
    const audits = lines.filter((l) => (l.labels as { audit?: string } | undefined)?.audit === 'true' && (l.inference as { status?: number } | undefined)?.status === 401);
    const grpc = audits.find((l) => (l.url as { path?: string } | undefined)?.path === '/inference.GRPCInferenceService/ModelInfer');
    expect(grpc).toMatchObject({ network: { protocol: 'grpc' }, inference: { grpc_code: 'UNAUTHENTICATED' } });
  });

  it('UNAUTHENTICATED for a token that does not verify (wrong issuer, expired, forged)', async () => {
    const other = rsaKeys();
    for (const token of [await sign(keys, { iss: 'https://elsewhere.test' }), await sign(keys, { expIn: -60 }), await sign(other)]) {
      const error = await client.fail('ModelInfer', grpcInfer(2), bearer(token));
      expect(error.code).toBe(Status.UNAUTHENTICATED);
      expect(String(error.metadata.get('www-authenticate')[0])).toContain('error="invalid_token"');
    }
  });

  it('PERMISSION_DENIED for a token without the scope the RPC needs, with the REST message', async () => {
    const reader = await sign(keys, { scope: 'models:read', sub: 'reader' });
    const error = await client.fail('ModelInfer', grpcInfer(3), bearer(reader));
    expect([error.code, error.details]).toEqual([Status.PERMISSION_DENIED, 'token lacks the "infer" scope this route requires']);
    expect((await client.call('ModelMetadata', { name: 'demo' }, bearer(reader))).message).toMatchObject({ name: 'demo' });
    const inferOnly = await sign(keys, { scope: 'infer', sub: 'infer-only' });
    expect((await client.fail('ServerMetadata', {}, bearer(inferOnly))).code).toBe(Status.PERMISSION_DENIED);
  });

  it('answers a valid token with the REST answer for the same caller', async () => {
    const token = await sign(keys, { scope: 'infer', sub: 'carol' });
    const { message } = await client.call<{ outputs: Array<{ contents: { fp32_contents: number[] } }> }>('ModelInfer', grpcInfer(4), bearer(token));
    const later = await sign(keys, { scope: 'infer', sub: 'dave' });
    const res = await service.app.inject({ method: 'POST', url: '/v2/models/demo/infer', headers: bearer(later), payload: demoInfer(4) });
    expect(message.outputs[0]!.contents.fp32_contents).toEqual(res.json().outputs[0].data);
  });

  it('RESOURCE_EXHAUSTED with Retry-After when the caller exceeds its rate limit', async () => {
    const token = await sign(keys, { scope: 'infer', sub: 'eve' });
    // Sent together, so the refill (one per second) cannot let them all through on a slow machine.
    const outcomes = await Promise.all([5, 6, 7, 8].map((seed) => client.call('ModelInfer', grpcInfer(seed), bearer(token)).then(() => undefined, (e: ServiceError) => e)));
    const error = outcomes.find((e) => e !== undefined);
    if (error === undefined) throw new Error('no call was refused');
    expect([error.code, error.details]).toEqual([Status.RESOURCE_EXHAUSTED, 'rate limit exceeded for this caller; retry after the Retry-After delay']);
    expect(Number(error.metadata.get('retry-after')[0])).toBeGreaterThanOrEqual(1);
    const text = await service.production.metrics.registry.metrics();
    expect(text).toMatch(/inference_rejected_total\{reason="rate_limit"\} [1-9]/);
    expect(text).toMatch(/inference_grpc_requests_total\{method="ModelInfer",code="RESOURCE_EXHAUSTED"\} [1-9]/);
  });
});
