/**
 * The text-generation API against the real service: the bundled demo LLM, its engine on the worker threads,
 * the production layer, over real sockets with concurrent requests.
 */
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../src/metrics/names.js';
import { realService, type RealService } from './production-support/real-service.js';
import { postJson, readEvents, until } from './helpers/sse.js';

const model = 'demo-llm';
let service: RealService;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  service = await realService({ AUTH_MODE: 'none' }, undefined, { workerThreads: 2 });
  app = service.app;
  url = await app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);
afterAll(() => app?.close());

interface Completion {
  id: string;
  object: string;
  model: string;
  choices: Array<{ text: string; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

async function complete(body: Record<string, unknown>): Promise<Completion> {
  const response = await postJson(`${url}/v1/completions`, { model, ...body });
  const json = (await response.json()) as Completion;
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Streams a completion, returning the concatenated text and the finish reason of the last choice chunk. */
async function streamCompletion(body: Record<string, unknown>): Promise<{ text: string; finish: string | null; events: string[] }> {
  const response = await postJson(`${url}/v1/completions`, { model, stream: true, ...body });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events = await readEvents(response);
  expect(events.at(-1)).toBe('[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Completion);
  const finish = chunks.map((c) => c.choices[0]?.finish_reason ?? null).filter(Boolean).at(-1) ?? null;
  return { text: chunks.map((c) => c.choices[0]?.text ?? '').join(''), finish, events };
}

const prompts = ['a', 'The quick brown fox jumps', 'Once upon a time, in a land far away, there lived a', 'hello world, hello world, hello world, hello world, hello world, and so on and so forth'];

describe('continuous batching', () => {
  it('gives every prompt the same greedy text concurrently as alone, with prompts joining and leaving mid-flight', async () => {
    const maxTokens = [40, 12, 28, 20];
    const alone: string[] = [];
    for (const [i, prompt] of prompts.entries()) alone.push((await complete({ prompt, max_tokens: maxTokens[i], temperature: 0 })).choices[0]!.text);
    // Two rounds of the four, each started a little after the previous one, so later prompts join a running batch
    // and the short ones leave it while the long ones still decode.
    const together = await Promise.all(
      [...prompts, ...prompts].map(async (prompt, i) => {
        await new Promise((r) => setTimeout(r, i * 15));
        const body = { prompt, max_tokens: maxTokens[i % 4], temperature: 0 };
        return i % 2 === 0 ? (await complete(body)).choices[0]!.text : (await streamCompletion(body)).text;
      }),
    );
    expect(together).toEqual([...alone, ...alone]);
    expect(new Set(alone).size).toBeGreaterThan(1);
  });

  it('reproduces seeded sampling, alone and beside other requests', async () => {
    const body = { prompt: 'Once upon a time', max_tokens: 24, temperature: 1, top_p: 0.95, seed: 1234 };
    const first = (await complete(body)).choices[0]!.text;
    const [again, , other] = await Promise.all([complete(body), complete({ ...body, prompt: 'noise', seed: 7 }), complete({ ...body, seed: 99 })]);
    expect(again.choices[0]!.text).toBe(first);
    expect(other.choices[0]!.text).not.toBe(first);
  });
});

describe('finish reasons', () => {
  it('ends at max_tokens with finish_reason length and counts the usage', async () => {
    const c = await complete({ prompt: 'The quick brown fox', max_tokens: 5, temperature: 0 });
    expect(c.object).toBe('text_completion');
    expect(c.id).toMatch(/^cmpl-/);
    expect(c.choices[0]!.finish_reason).toBe('length');
    expect(c.usage.completion_tokens).toBe(5);
    expect(c.usage.total_tokens).toBe(c.usage.prompt_tokens + 5);
    const streamed = await streamCompletion({ prompt: 'The quick brown fox', max_tokens: 5, temperature: 0 });
    expect(streamed.finish).toBe('length');
    expect(streamed.text).toBe(c.choices[0]!.text);
  });

  it('ends at a stop string: the text before it, nothing after, finish_reason stop — plain and streamed', async () => {
    const full = (await complete({ prompt: prompts[2], max_tokens: 40, temperature: 0 })).choices[0]!.text;
    // A stop string from the middle of the greedy text (whatever the model writes), spanning a few tokens.
    const at = Math.floor(full.length / 2);
    const stop = full.slice(at, at + 3);
    const expected = full.slice(0, full.indexOf(stop));
    const plain = await complete({ prompt: prompts[2], max_tokens: 40, temperature: 0, stop: ['\u0000never', stop] });
    expect(plain.choices[0]).toMatchObject({ text: expected, finish_reason: 'stop' });
    expect(plain.usage.completion_tokens).toBeLessThan(40);
    const streamed = await streamCompletion({ prompt: prompts[2], max_tokens: 40, temperature: 0, stop });
    expect(streamed).toMatchObject({ text: expected, finish: 'stop' });
  });
});

describe('the official openai client', () => {
  const client = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });

  it('lists the model, completes, chat-completes and streams', async () => {
    const openai = client();
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toContain(model);

    const completion = await openai.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);

    const chat = await openai.chat.completions.create({
      model,
      messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say something.' }],
      max_completion_tokens: 12,
      temperature: 0,
    });
    expect(chat.object).toBe('chat.completion');
    expect(chat.choices[0]?.message.role).toBe('assistant');
    expect(['stop', 'length']).toContain(chat.choices[0]?.finish_reason);

    const stream = await openai.chat.completions.create({
      model,
      messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say something.' }],
      max_completion_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(chat.choices[0]?.message.content);
    expect(finish).toBe(chat.choices[0]?.finish_reason);
    expect(usage?.completion_tokens).toBe(chat.usage?.completion_tokens);
  });

  it('surfaces a refusal as an APIError with the message', async () => {
    await expect(client().completions.create({ model, prompt: 'x', max_tokens: 0 })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/max_tokens/) });
    await expect(client().completions.create({ model: 'nope', prompt: 'x' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('KServe V2 generate extension and BYTES infer', () => {
  it('generate answers text_output; generate_stream streams the same text; infer takes BYTES text_input', async () => {
    const parameters = { max_tokens: 10, temperature: 0 };
    const r = await postJson(`${url}/v2/models/${model}/generate`, { id: 'g1', text_input: 'Once upon a time', parameters });
    expect(r.status).toBe(200);
    const plain = (await r.json()) as { id: string; model_name: string; model_version: string; text_output: string; finish_reason: string };
    expect(plain).toMatchObject({ id: 'g1', model_name: model, model_version: '1', finish_reason: 'length' });
    expect(plain.text_output.length).toBeGreaterThan(0);

    const s = await postJson(`${url}/v2/models/${model}/versions/1/generate_stream`, { text_input: 'Once upon a time', parameters });
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await readEvents(s)).map((e) => JSON.parse(e) as { text_output: string; finish_reason?: string });
    expect(events.map((e) => e.text_output).join('')).toBe(plain.text_output);
    expect(events.at(-1)?.finish_reason).toBe('length');

    const infer = await postJson(`${url}/v2/models/${model}/infer`, {
      inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1], data: ['Once upon a time'] }],
      parameters,
    });
    expect(infer.status).toBe(200);
    const v2 = (await infer.json()) as { outputs: Array<{ name: string; datatype: string; shape: number[]; data: string[] }> };
    expect(v2.outputs).toEqual([{ name: 'text_output', datatype: 'BYTES', shape: [1], data: [plain.text_output] }]);
  });
});

describe('malformed requests', () => {
  const completions = '/v1/completions';
  const chat = '/v1/chat/completions';
  const ok = { model, prompt: 'hi', max_tokens: 4 };
  const okChat = { model, messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 4 };
  const table: Array<[string, string, unknown, number, RegExp, Record<string, string>?]> = [
    ['bad role', chat, { ...okChat, messages: [{ role: 'wizard', content: 'x' }] }, 400, /messages\[0\]\.role/],
    ['empty messages', chat, { ...okChat, messages: [] }, 400, /messages must not be empty/],
    ['messages not an array', chat, { ...okChat, messages: 'hi' }, 400, /messages must be an array/],
    ['content not text', chat, { ...okChat, messages: [{ role: 'user', content: 3 }] }, 400, /messages\[0\]\.content/],
    ['max_tokens 0', completions, { ...ok, max_tokens: 0 }, 400, /max_tokens must be an integer ≥ 1/],
    ['max_tokens beyond the context', completions, { ...ok, max_tokens: 1_000_000 }, 400, /max_tokens 1000000 .* context/],
    ['negative temperature', completions, { ...ok, temperature: -0.5 }, 400, /temperature must be a number in \[0, 2\]/],
    ['top_p above 1', completions, { ...ok, top_p: 1.5 }, 400, /top_p must be a number in \(0, 1\]/],
    ['top_k not an integer', completions, { ...ok, top_k: 2.5 }, 400, /top_k must be an integer/],
    ['unknown model', completions, { ...ok, model: 'no-such-model' }, 404, /no-such-model/],
    ['encoder model', completions, { ...ok, model: 'demo' }, 404, /not a text-generation model/],
    ['stop not a string', completions, { ...ok, stop: 42 }, 400, /stop must be a string or an array of strings/],
    ['five stop strings', completions, { ...ok, stop: ['a', 'b', 'c', 'd', 'e'] }, 400, /stop has 5 strings; at most 4/],
    ['n = 2', completions, { ...ok, n: 2 }, 400, /n must be 1/],
    ['prompt too long', completions, { ...ok, prompt: 'word '.repeat(3000) }, 400, /prompt is \d+ tokens; the model's context is/],
    ['prompt missing', completions, { model, max_tokens: 4 }, 400, /prompt must be a string/],
    ['model missing', completions, { prompt: 'hi' }, 400, /model must be a non-empty string/],
    ['stream not a boolean', completions, { ...ok, stream: 'yes' }, 400, /stream must be true or false/],
    ['stream_options without stream', completions, { ...ok, stream_options: { include_usage: true } }, 400, /stream_options is only allowed when stream is true/],
    ['seed not an integer', completions, { ...ok, seed: 'abc' }, 400, /seed must be an integer/],
    ['unsupported logprobs', completions, { ...ok, logprobs: 5 }, 400, /logprobs is not supported/],
    ['body not an object', completions, [1, 2], 400, /request body must be a JSON object/],
    ['V2 generate without text_input', `/v2/models/${model}/generate`, { parameters: {} }, 400, /text_input must be a string/],
    ['V2 infer BYTES with two prompts', `/v2/models/${model}/infer`, { inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [2], data: ['a', 'b'] }] }, 400, /send one prompt/],
  ];

  it.each(table)('%s: answered with a status and a message naming the problem', async (_name, path, body, status, message) => {
    const r = await postJson(`${url}${path}`, body);
    expect(r.status).toBe(status);
    const json = (await r.json()) as { error: string | { message: string; type: string } };
    const text = typeof json.error === 'string' ? json.error : json.error.message;
    expect(text).toMatch(message);
    if (path.startsWith('/v1/')) expect(json.error).toMatchObject({ type: status === 404 ? 'not_found_error' : 'invalid_request_error' });
  });

  it('refuses a body that is not JSON with 400 naming the content type', async () => {
    const r = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/content-type must be application\/json; got text\/plain/);
  });

  it('stays ready after the table', async () => {
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    expect((await complete({ prompt: 'still here', max_tokens: 2 })).choices[0]?.finish_reason).toBeDefined();
  });
});

describe('result cache and metrics', () => {
  it('answers a repeated deterministic request from the cache with a fresh id; never a sampled or streamed one', async () => {
    const body = { model, prompt: 'cache me', max_tokens: 6, temperature: 0 };
    const first = await postJson(`${url}/v1/completions`, body);
    const second = await postJson(`${url}/v1/completions`, body);
    expect(first.headers.get('x-inference-cache')).toBe('miss');
    expect(second.headers.get('x-inference-cache')).toBe('hit');
    const [a, b] = (await Promise.all([first.json(), second.json()])) as [Completion, Completion];
    expect(b.choices).toEqual(a.choices);
    expect(b.id).not.toBe(a.id);
    const sampled = await postJson(`${url}/v1/completions`, { ...body, temperature: 0.8 });
    expect(sampled.headers.get('x-inference-cache')).toBe('bypass');
    await sampled.text();
  });

  it('never caches the partial answer of a deterministic request whose client went away', async () => {
    const engine = service.app.modelRegistry.generationEngine(model);
    const body = { model, prompt: 'cut me short', max_tokens: 600, temperature: 0, ignore_eos: true };
    const aborted = new AbortController();
    const gone = postJson(`${url}/v1/completions`, body, {}, aborted.signal).catch((error: Error) => error);
    await until(async () => engine.stats().activeSequences > 0, 'the generation to start');
    aborted.abort();
    expect(await gone).toBeInstanceOf(Error);
    await until(async () => engine.stats().activeSequences === 0, 'the cancelled sequence to leave the batch');
    const again = await postJson(`${url}/v1/completions`, body);
    expect(again.headers.get('x-inference-cache')).toBe('miss');
    const answer = (await again.json()) as Completion;
    expect(answer.choices[0]?.finish_reason).toBe('length');
    expect(answer.usage.completion_tokens).toBe(600);
  });

  it('exports the generation metrics under the contract names, labelled by model and version', async () => {
    const text = await service.production.metrics.registry.metrics();
    const labels = `model="${model}",version="1"`;
    for (const name of [metricNames.promptTokens, metricNames.generatedTokens]) expect(text).toMatch(new RegExp(`^${name}\\{${labels}\\} [1-9]`, 'm'));
    for (const name of [metricNames.timeToFirstToken, metricNames.interTokenLatency]) {
      expect(text).toContain(`${name}_bucket{le="0.2",${labels}}`);
      expect(text).toMatch(new RegExp(`^${name}_count\\{${labels}\\} [1-9]`, 'm'));
    }
    for (const name of [metricNames.activeSequences, metricNames.generateQueueDepth, metricNames.kvCacheUsage]) expect(text).toMatch(new RegExp(`^${name}\\{${labels}\\} 0$`, 'm'));
    expect(text).toMatch(new RegExp(`^${metricNames.requests}\\{${labels},status="200"\\} [1-9]`, 'm'));
    expect(text).toMatch(new RegExp(`^${metricNames.requests}\\{${labels},status="400"\\} [1-9]`, 'm'));    // Generation is not infer latency, whatever the route (V2 infer with BYTES text_input generates too).
    expect(text).not.toContain(`${metricNames.requestDuration}_count{${labels}}`);
  });
});
