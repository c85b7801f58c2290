/**
 * The production layer on the real service (demo model, worker thread, dynamic batcher): the JWT attack table,
 * cached answers byte-identical to computed ones, and every metric series scraped over HTTP after traffic.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../src/metrics/names.js';
import { boundPort, startMetricsServer } from '../src/metrics/server.js';
import { attackTable } from './production-support/attack-table.js';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';

const keys = rsaKeys();
let service: RealService;
let metricsServer: FastifyInstance;
let url: string;

beforeAll(async () => {
  service = await realService({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem });
  url = await service.app.listen({ host: '127.0.0.1', port: 0 });
  metricsServer = await startMetricsServer({ registry: service.production.metrics.registry, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await metricsServer?.close();
  await service?.app.close();
});

const infer = (body: unknown, headers: Record<string, string>, path = '/v2/models/demo/infer') =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('JWT attack table on the real service', async () => {
  const table = await attackTable(keys);
  it.each(table)('$name → $status', async ({ headers, status, challenge }) => {
    const res = await infer(demoInfer(1), headers);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error?: string; outputs?: unknown[] };
    if (status === 200) expect(body.outputs).toHaveLength(1);
    else expect(body.error).toEqual(expect.any(String));
    if (challenge) expect(res.headers.get('www-authenticate')).toMatch(challenge);
  });

  it('leaves the probes open and guards metadata with models:read', async () => {
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/v2/models/demo`)).status).toBe(401);
    const reader = await sign(keys, { scope: 'models:read' });
    expect((await fetch(`${url}/v2/models/demo`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(200);
    const inferOnly = await sign(keys, { scope: 'infer' });
    expect((await fetch(`${url}/v2/admin/cache/purge`, { method: 'POST', headers: { authorization: `Bearer ${inferOnly}` } })).status).toBe(403);
  });
});

describe('result cache on the real service', () => {
  it('answers a repeat from the cache, byte-identical to the computed answer', async () => {
    const auth = { authorization: `Bearer ${await sign(keys, { scope: 'infer' })}` };
    const body = demoInfer(77, { id: 'same-id' });
    const computed = await infer(body, auth);
    const cached = await infer(body, auth);
    expect([computed.headers.get('x-inference-cache'), cached.headers.get('x-inference-cache')]).toEqual(['miss', 'hit']);
    expect(Buffer.from(await cached.arrayBuffer()).equals(Buffer.from(await computed.arrayBuffer()))).toBe(true);
    // Versioned URL, nested data, and a different id: still a hit, and still exactly what the model would answer.
    const nested = { ...body, id: 'other', inputs: body.inputs.map((i) => ({ ...i, data: [i.data] })) };
    const viaVersion = await infer(nested, auth, '/v2/models/demo/versions/1/infer');
    expect(viaVersion.headers.get('x-inference-cache')).toBe('hit');
    const fresh = await infer({ ...nested, parameters: { cache: false } }, auth);
    expect(fresh.headers.get('x-inference-cache')).toBe('bypass');
    expect(await viaVersion.text()).toBe(await fresh.text());
  });
});

describe('metrics over HTTP after traffic', () => {
  it('exports every series the alerts and the canary analysis query', async () => {
    const auth = { authorization: `Bearer ${await sign(keys, { scope: 'infer' })}` };
    await Promise.all(Array.from({ length: 12 }, (_, i) => infer(demoInfer(1000 + i), auth)));
    await infer(demoInfer(1000), auth); // a cache hit
    await infer({ inputs: [] }, auth); // a 400
    const text = await (await fetch(`http://127.0.0.1:${boundPort(metricsServer)}/metrics`)).text();
    const series = (name: string) => text.split('\n').filter((l) => l.startsWith(name));
    expect(text).toMatch(/inference_requests_total\{model="demo",version="1",status="200"\} \d+/);
    expect(text).toMatch(/inference_requests_total\{model="demo",version="1",status="400"\} 1/);
    expect(text).toMatch(/inference_requests_total\{model="demo",version="1",status="401"\} \d+/);
    expect(series(`${metricNames.requestDuration}_bucket{le="0.2",model="demo",version="1"}`)).toHaveLength(1);
    expect(series(`${metricNames.requestDuration}_bucket{le="0.5",model="demo",version="1"}`)).toHaveLength(1);
    expect(text).toMatch(/inference_queue_duration_seconds_count\{model="demo",version="1"\} [1-9]/);
    expect(text).toMatch(/inference_compute_duration_seconds_count\{model="demo",version="1"\} [1-9]/);
    expect(text).toMatch(/inference_batch_size_count\{model="demo",version="1"\} [1-9]/);
    expect(text).toMatch(/inference_queue_depth\{model="demo",version="1"\} 0/);
    expect(text).toMatch(/inference_inflight_requests 0/);
    expect(text).toMatch(/inference_cache_hits_total [1-9]/);
    expect(text).toMatch(/inference_cache_misses_total [1-9]/);
    expect(text).toContain('# TYPE inference_cache_errors_total counter');
    expect(text).toMatch(/inference_worker_restarts_total 0/);
    expect(text).toMatch(/inference_model_ready\{model="demo",version="1"\} 1/);
    expect(text).toMatch(/inference_auth_failures_total\{reason="invalid_token"\} [1-9]/);
    expect(text).toMatch(/inference_draining 0/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text).toMatch(/process_cpu_seconds_total \d/);
    expect(text).toMatch(/nodejs_eventloop_lag_p99_seconds \d/);
    expect(text).toMatch(/nodejs_heap_size_used_bytes \d+/);
  });
});

// After the metrics test, which counts exactly one 400.
describe('result cache never answers a malformed request', () => {
  it('answers a malformed request 400 even when a valid request with the same values is cached', async () => {
    const auth = { authorization: `Bearer ${await sign(keys, { scope: 'infer' })}` };
    const body = demoInfer(78);
    expect((await infer(body, auth)).status).toBe(200);
    expect((await infer(body, auth)).headers.get('x-inference-cache')).toBe('hit');
    const [ids, mask] = body.inputs;
    if (!ids || !mask) throw new Error('demoInfer has two inputs');
    const malformed = {
      'ragged nesting': { ...body, inputs: [{ ...ids, data: [ids.data.slice(0, 3), ids.data.slice(3)] }, mask] },
      'booleans for INT64': { ...body, inputs: [ids, { ...mask, data: mask.data.map(() => true) }] },
      'binary data extension': { ...body, inputs: [{ ...ids, parameters: { binary_data_size: 64 } }, mask] },
      'parameters that are not an object': { ...body, parameters: 5 },
      'parameters that are a list': { ...body, parameters: [] },
      'outputs null': { ...body, outputs: null },
    };
    for (const [what, payload] of Object.entries(malformed)) {
      const res = await infer(payload, auth);
      expect({ what, status: res.status, cache: res.headers.get('x-inference-cache') }).toEqual({ what, status: 400, cache: expect.not.stringMatching(/hit/) });
    }
  });
});
