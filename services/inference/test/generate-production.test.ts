/**
 * Text generation under the production layer's limits: a stream refused before its first token gets a real
 * status code; a client leaving mid-stream frees its slot for the queued request; JWT scopes and the audit record
 * apply to the text routes as to infer.
 */
import { request, type IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerationSummary } from '../src/generation/types.js';
import { metricNames } from '../src/metrics/names.js';
import { realService, type RealService } from './production-support/real-service.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';
import { postJson, until } from './helpers/sse.js';

const model = 'demo-llm';

describe('one sequence at a time, one waiting', () => {
  let service: RealService;
  let app: FastifyInstance;
  let url: string;
  const gauge = async (name: string): Promise<number> => {
    const text = await service.production.metrics.registry.metrics();
    const match = new RegExp(`^${name}\\{model="${model}",version="1"\\} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : Number.NaN;
  };

  beforeAll(async () => {
    service = await realService({ AUTH_MODE: 'none' }, undefined, { workerThreads: 1, generateMaxSequences: 1, generateMaxQueue: 1 });
    app = service.app;
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(() => app?.close());

  it('refuses past the queue with 429 + Retry-After as JSON, even for a stream; a client leaving mid-stream lets the queued one run', async () => {
    // Watch the real engine's handles (a spy, not a stand-in): the abandoned one must end as cancelled.
    const engine = app.modelRegistry.generationEngine(model);
    const summaries: Array<Promise<GenerationSummary>> = [];
    const submit = engine.submit.bind(engine);
    vi.spyOn(engine, 'submit').mockImplementation((request) => {
      const handle = submit(request);
      summaries.push(handle.done);
      return handle;
    });

    // ignore_eos: the demo model writes its eos token every few dozen tokens; this stream must outlive the test.
    const long = request(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    long.end(JSON.stringify({ model, prompt: 'Once upon a time', max_tokens: 1000, temperature: 0, stream: true, ignore_eos: true }));
    const response = await new Promise<IncomingMessage>((resolve) => long.on('response', resolve));
    expect(response.statusCode).toBe(200);
    const first = await new Promise<Buffer>((resolve) => response.once('data', resolve));
    expect(first.toString()).toMatch(/^data: \{/);
    expect(await gauge(metricNames.activeSequences)).toBe(1);

    // Waits for the running sequence's slot.
    const queued = postJson(`${url}/v1/completions`, { model, prompt: 'hello', max_tokens: 3, temperature: 0 });
    await until(async () => (await gauge(metricNames.generateQueueDepth)) === 1, 'the second request to queue');

    // The queue is full: refused before any token, so the stream has a real status code and a JSON body.
    const refused = await postJson(`${url}/v1/completions`, { model, prompt: 'hello', max_tokens: 3, stream: true });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { message: string; type: string } }).error).toMatchObject({ type: 'rate_limit_error' });

    long.destroy(); // the client goes away mid-stream
    const done = await queued;
    expect(done.status).toBe(200);
    expect(((await done.json()) as { choices: Array<{ finish_reason: string }> }).choices[0]?.finish_reason).toBe('length');
    await until(async () => (await gauge(metricNames.activeSequences)) === 0 && (await gauge(metricNames.generateQueueDepth)) === 0, 'the engine to go idle');
    const abandoned = await summaries[0];
    expect(abandoned?.finishReason).toBe('cancelled');
    expect(abandoned?.completionTokens).toBeLessThan(1000);
    expect((await summaries[1])?.finishReason).toBe('length');
    expect(await service.production.metrics.registry.metrics()).toMatch(/^inference_rejected_total\{reason="queue_full"\} 1$/m);
  });
});

describe('under JWT auth', () => {
  const keys = rsaKeys();
  const lines: Array<Record<string, unknown>> = [];
  let app: FastifyInstance;
  let url: string;
  let service: RealService;

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    service = await realService({ AUTH_MODE: 'jwt', JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem }, logStream, { workerThreads: 1 });
    app = service.app;
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(() => app?.close());

  it('needs scope infer to generate (models:read lists), and writes the audit record', async () => {
    const body = { model, prompt: 'hello', max_tokens: 2 };
    const anonymous = await postJson(`${url}/v1/completions`, body);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { type: string } }).error.type).toBe('authentication_error');

    const reader = await sign(keys, { scope: 'models:read', sub: 'reader' });
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(200);
    for (const path of ['/v1/completions', `/v2/models/${model}/generate`, `/v2/models/${model}/generate_stream`]) {
      const r = await postJson(`${url}${path}`, { ...body, text_input: 'hello' }, { authorization: `Bearer ${reader}` });
      expect(r.status, path).toBe(403);
      await r.text();
    }

    const writer = await sign(keys, { scope: 'infer', sub: 'alice' });
    const ok = await postJson(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 2 }, { authorization: `Bearer ${writer}` });
    expect(ok.status).toBe(200);
    await ok.json();
    await until(async () => lines.some((l) => (l.url as { path?: string } | undefined)?.path === '/v1/chat/completions'), 'the audit record');
    const audit = lines.find((l) => (l.url as { path?: string } | undefined)?.path === '/v1/chat/completions') as Record<string, any>;
    expect(audit.event.dataset).toBe('inference.audit');
    expect(audit.user.id).toBe('alice');
    expect(audit.inference).toMatchObject({ model, version: '1', status: 200, scopes: ['infer'] });
    expect(audit.inference.generation).toMatchObject({ completion_tokens: expect.any(Number), prompt_tokens: expect.any(Number) });
    expect(audit.inference.generation.completion_tokens).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(audit.inference.generation.finish_reason);
    // Tenant usage: the same tokens, one item and the sequence's worker time, billed to alice (no tenant claim → sub).
    expect(audit.inference).toMatchObject({
      tenant: 'alice',
      items: 1,
      prompt_tokens: audit.inference.generation.prompt_tokens,
      completion_tokens: audit.inference.generation.completion_tokens,
    });
    expect(audit.inference.compute_seconds).toBeGreaterThan(0);
    const metrics = await service.production.metrics.registry.metrics();
    const labels = `tenant="alice",model="${model}",version="1"`;
    expect(metrics).toContain(`inference_tenant_completion_tokens_total{${labels}} ${audit.inference.generation.completion_tokens}`);
    expect(metrics).toContain(`inference_tenant_prompt_tokens_total{${labels}} ${audit.inference.generation.prompt_tokens}`);
  });
});
