/**
 * Spans really exported: the real service (demo model, worker thread, batcher) with OTEL_* pointing at an OTLP/HTTP
 * receiver this test starts on loopback, which decodes what arrives (protobuf with protobufjs, or JSON).
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../scripts/otlp-receiver/receiver.js';
import { demoInfer, realService, spawnService, type RealService } from './production-support/real-service.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';

const keys = rsaKeys();
const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = '00f067aa0ba902b7';

const byName = (spans: readonly ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
const only = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
  const found = byName(spans, name);
  expect(found.map((s) => s.name), `exactly one ${name}`).toEqual([name]);
  return found[0] as ReceivedSpan;
};

describe('tracing over OTLP http/protobuf, in-process service', () => {
  let receiver: OtlpReceiver;
  let service: RealService;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    service = await realService(
      {
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: audience,
        JWT_PUBLIC_KEY: keys.publicPem,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_SERVICE_NAME: 'inference-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=ml%20platform',
      },
      stream,
      // A long batching delay, so the concurrent requests below surely share one batch.
      { maxQueueDelayMicroseconds: 400_000 },
    );
  });
  afterAll(async () => {
    await service?.app.close();
    await service?.production.tracing?.shutdown();
    await receiver?.close();
  });

  it("makes the caller's traceparent the parent of a request span with auth, cache, queue, batch, compute and response children", async () => {
    const token = await sign(keys, { sub: 'svc-frontend', tenant: 'acme', scope: 'infer' });
    const res = await service.app.inject({
      method: 'POST',
      url: '/v2/models/demo/infer',
      headers: { authorization: `Bearer ${token}`, traceparent: `00-${callerTrace}-${callerSpan}-01`, 'x-request-id': 'traced-1' },
      payload: demoInfer(1),
    });
    expect(res.statusCode).toBe(200);
    await service.production.tracing?.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'POST /v2/models/:model/infer' && s.traceId === callerTrace));
    const trace = spans.filter((s) => s.traceId === callerTrace);

    const server = only(trace, 'POST /v2/models/:model/infer');
    expect(server).toMatchObject({ parentSpanId: callerSpan, kind: 2, encoding: 'protobuf', scope: '@vertical/inference' });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v2/models/:model/infer',
      'url.path': '/v2/models/demo/infer',
      'http.response.status_code': 200,
      'http.request.id': 'traced-1',
      'inference.model': 'demo',
      'inference.version': '1',
    });
    expect(server.resource).toMatchObject({ 'service.name': 'inference-under-test', 'deployment.environment.name': 'test', team: 'ml platform' });

    for (const name of ['auth', 'cache.lookup', 'queue.wait', 'batch', 'response']) {
      expect(only(trace, name).parentSpanId, `${name} is a child of the request span`).toBe(server.spanId);
    }
    const batch = only(trace, 'batch');
    for (const name of ['batch.assemble', 'worker.compute']) expect(only(trace, name).parentSpanId, `${name} is a child of batch`).toBe(batch.spanId);
    expect(only(trace, 'cache.lookup').attributes['inference.cache']).toBe('miss');
    expect(only(trace, 'auth').attributes['enduser.authenticated']).toBe(true);
    expect(batch.links).toEqual([{ traceId: callerTrace, spanId: server.spanId, attributes: { 'inference.batch.index': 0, 'inference.request.rows': 1 } }]);
    expect(only(trace, 'queue.wait').links.map((l) => l.spanId)).toEqual([batch.spanId]);

    // Children lie inside their parents (the worker's clock is the process's clock).
    const compute = only(trace, 'worker.compute');
    expect(compute.startNs).toBeGreaterThanOrEqual(batch.startNs);
    expect(compute.endNs).toBeLessThanOrEqual(batch.endNs);
    expect(batch.endNs).toBeLessThanOrEqual(server.endNs);
    expect(compute.attributes['inference.compute_ms']).toBeGreaterThan(0);

    // The answer names the server span, and so does the audit line.
    expect(res.headers.traceparent).toBe(`00-${callerTrace}-${server.spanId}-01`);
    const audit = lines.find((l) => l['http.request.id'] === 'traced-1' && l.message === 'inference audit');
    expect(audit).toMatchObject({ 'trace.id': callerTrace, 'span.id': server.spanId });
  });

  it('ends the cache lookup that answered a repeated call as a hit, with no batch', async () => {
    const token = await sign(keys, { sub: 'svc-cache', tenant: 'acme', scope: 'infer' });
    const call = (traceId: string) =>
      service.app.inject({
        method: 'POST',
        url: '/v2/models/demo/infer',
        headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpan}-01` },
        payload: demoInfer(42),
      });
    expect((await call('d1'.repeat(16))).headers['x-inference-cache']).toBe('miss');
    expect((await call('d2'.repeat(16))).headers['x-inference-cache']).toBe('hit');
    await service.production.tracing?.flush();
    const spans = (await receiver.waitFor((all) => all.some((s) => s.traceId === 'd2'.repeat(16) && s.kind === 2))).filter((s) => s.traceId === 'd2'.repeat(16));
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /v2/models/:model/infer', 'auth', 'cache.lookup']);
    expect(only(spans, 'cache.lookup').attributes).toMatchObject({ 'inference.cache': 'hit', 'inference.phase.answered': true });
    expect(only(spans, 'cache.lookup').status.code).toBe(0);
  });

  it('links one batch span to every request batched together, each queue wait linking back', async () => {
    const token = await sign(keys, { scope: 'infer' });
    const traceIds = ['a1', 'b2', 'c3', 'd4'].map((p) => p.repeat(16));
    const replies = await Promise.all(
      traceIds.map((traceId, i) =>
        service.app.inject({
          method: 'POST',
          url: '/v2/models/demo/infer',
          headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${'1'.repeat(15)}${i}-01` },
          // Distinct bodies (no cache hits), same shape (one batch).
          payload: demoInfer(100 + i),
        }),
      ),
    );
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    await service.production.tracing?.flush();
    const spans = await receiver.waitFor((all) => traceIds.every((t) => all.some((s) => s.traceId === t && s.name === 'POST /v2/models/:model/infer')));
    const servers = traceIds.map((t) => only(spans.filter((s) => s.traceId === t), 'POST /v2/models/:model/infer'));
    const batches = byName(spans, 'batch').filter((b) => b.links.some((l) => traceIds.includes(l.traceId)));
    expect(batches).toHaveLength(1);
    const batch = batches[0] as ReceivedSpan;
    expect(batch.attributes).toMatchObject({ 'inference.batch.requests': 4, 'inference.batch.size': 4 });
    expect(new Set(batch.links.map((l) => `${l.traceId}/${l.spanId}`))).toEqual(new Set(servers.map((s) => `${s.traceId}/${s.spanId}`)));
    // The batch runs in the trace of one of its requests; each request's queue wait points at it.
    expect(servers.map((s) => s.spanId)).toContain(batch.parentSpanId);
    for (const traceId of traceIds) {
      const wait = only(spans.filter((s) => s.traceId === traceId), 'queue.wait');
      expect(wait.links).toEqual([{ traceId: batch.traceId, spanId: batch.spanId, attributes: {} }]);
    }
  });

  it('puts the ids on every line the request logs, not only the audit line', async () => {
    const traceId = 'f1'.repeat(16);
    const res = await service.app.inject({ url: '/v2/models/demo', headers: { authorization: `Bearer ${await sign(keys)}`, traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(res.statusCode).toBe(200);
    const server = res.headers.traceparent?.toString().split('-')[2];
    await new Promise((r) => setTimeout(r, 20));
    const access = lines.find((l) => l['trace.id'] === traceId);
    expect(access).toMatchObject({ message: 'request', 'span.id': server, event: { dataset: 'inference.access' } });
    // A metadata call: authenticated, but no cache lookup (the cache serves inference calls only).
    await service.production.tracing?.flush();
    const spans = (await receiver.waitFor((all) => all.some((s) => s.traceId === traceId && s.kind === 2))).filter((s) => s.traceId === traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /v2/models/:model', 'auth']);
  });

  it('records nothing for a request whose caller did not sample it, yet returns and logs its ids', async () => {
    const traceId = 'c0'.repeat(16);
    const res = await service.app.inject({
      method: 'POST',
      url: '/v2/models/demo/infer',
      headers: { authorization: `Bearer ${await sign(keys)}`, traceparent: `00-${traceId}-${callerSpan}-00`, 'x-request-id': 'unsampled-1' },
      payload: demoInfer(9),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    await service.production.tracing?.flush();
    expect(receiver.spans.filter((s) => s.traceId === traceId)).toEqual([]);
    const audit = lines.find((l) => l['http.request.id'] === 'unsampled-1' && l.message === 'inference audit');
    expect(audit).toMatchObject({ 'trace.id': traceId });
  });

  it('ends the phase that answered: a refused token is an auth span in error, and no batch is made', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v2/models/demo/infer',
      headers: { authorization: 'Bearer not.a.token', traceparent: `00-${'e5'.repeat(16)}-${callerSpan}-01` },
      payload: demoInfer(7),
    });
    expect(res.statusCode).toBe(401);
    await service.production.tracing?.flush();
    const spans = (await receiver.waitFor((all) => all.some((s) => s.traceId === 'e5'.repeat(16) && s.kind === 2))).filter((s) => s.traceId === 'e5'.repeat(16));
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /v2/models/:model/infer', 'auth']);
    expect(only(spans, 'auth').status).toEqual({ code: 2, message: 'answered 401' });
    // 4xx is the caller's problem: the server span is not an error.
    expect(only(spans, 'POST /v2/models/:model/infer').status.code).toBe(0);
  });
});

describe('tracing over OTLP http/json, the real server process', () => {
  it('exports the request trace as JSON and flushes it on SIGTERM; the log lines carry the same ids', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const service = await spawnService({
        AUTH_MODE: 'none',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        LOG_LEVEL: 'info',
      });
      const res = await fetch(`${service.url}/v2/models/demo/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'json-1' },
        body: JSON.stringify(demoInfer(3)),
      });
      expect(res.status).toBe(200);
      const traceparent = res.headers.get('traceparent') ?? '';
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const [, traceId, spanId] = traceparent.split('-');
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      const spans = (await receiver.waitFor((all) => all.some((s) => s.spanId === spanId))).filter((s) => s.traceId === traceId);
      const server = only(spans, 'POST /v2/models/:model/infer');
      // No traceparent came in: the request span is the root.
      expect(server).toMatchObject({ parentSpanId: '', encoding: 'json', spanId });
      expect(server.resource['service.name']).toBe('inference');
      expect(spans.map((s) => s.name).sort()).toEqual(
        ['POST /v2/models/:model/infer', 'auth', 'batch', 'batch.assemble', 'cache.lookup', 'queue.wait', 'response', 'worker.compute'].sort(),
      );
      expect(service.logs.find((l) => String(l.message).startsWith('tracing on'))?.message).toBe(
        `tracing on: OTLP http/json to ${receiver.url}/v1/traces, sampler parentbased_always_on`,
      );
      const audit = service.logs.find((l) => l['http.request.id'] === 'json-1' && l.message === 'inference audit');
      expect(audit).toMatchObject({ 'trace.id': traceId, 'span.id': spanId });
      expect(receiver.refused).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
