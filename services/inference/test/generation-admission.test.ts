import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeGenerativeModel } from '../scripts/demo-model/write-demo-model.js';
import type { GenerationHandle } from '../src/generation/types.js';
import { InferenceError } from '../src/protocol/errors.js';
import { bytePrompt, collect, generate, greedy, startRegistry } from './helpers/generation.js';
import type { GenerationDefaults } from '../src/model-repository/version-loader.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function engineWith(generation: Partial<GenerationDefaults>, workers = 1) {
  const dir = await mkdtemp(join(tmpdir(), 'generation-admission-'));
  await writeGenerativeModel(dir);
  const service = await startRegistry(dir, { workers, generation });
  cleanups.push(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { engine: service.registry.generationEngine('demo-llm'), service };
}

/** Resolves after the first streamed tokens; the whole token list stays available. */
function firstTokens(handle: GenerationHandle): { started: Promise<void>; all: Promise<number[]> } {
  let signal!: () => void;
  const started = new Promise<void>((resolve) => (signal = resolve));
  const all = (async () => {
    const tokens: number[] = [];
    for await (const batch of handle.tokens) {
      tokens.push(...batch);
      signal();
    }
    signal();
    return tokens;
  })();
  return { started, all };
}

// Each request below reserves 6 prompt + 94 max tokens = 100 KV-cache tokens.
const request = (text = 'Hello', maxTokens = 94) => ({ promptIds: bytePrompt(text), params: greedy(maxTokens), stopTokenIds: [] });

describe('KV-cache budget and wait queue', () => {
  it('requests beyond the budget wait and then run; past the queue they get 429 with Retry-After', async () => {
    const { engine } = await engineWith({ kvCacheTokens: 250, maxQueue: 2 });
    expect(engine.stats().kvCacheCapacityTokens).toBe(250);
    const expected = (await generate(engine, request())).tokens;
    const running = [engine.submit(request()), engine.submit(request())];
    expect(engine.stats()).toMatchObject({ activeSequences: 2, queueDepth: 0, kvCacheUsedTokens: 200 });
    const waiting = [engine.submit(request()), engine.submit(request())];
    expect(engine.stats()).toMatchObject({ activeSequences: 2, queueDepth: 2 });
    let refused: unknown;
    try {
      engine.submit(request());
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(InferenceError);
    expect((refused as InferenceError).statusCode).toBe(429);
    expect((refused as InferenceError).message).toContain('waiting for KV-cache room');
    expect(Number((refused as InferenceError).headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const results = await Promise.all([...running, ...waiting].map(collect));
    for (const r of results) expect(r.tokens).toEqual(expected);
    expect(results[2]?.summary.queueMs).toBeGreaterThan(0);
    expect(engine.stats()).toMatchObject({ activeSequences: 0, queueDepth: 0, kvCacheUsedTokens: 0 });
  });

  it('a request that could never fit the per-worker budget is 400, not queued', async () => {
    const { engine } = await engineWith({ kvCacheTokens: 250, maxQueue: 2 });
    expect(() => engine.submit(request('Hello', 300))).toThrow(/KV-cache budget of 250 tokens/);
    expect(engine.stats().queueDepth).toBe(0);
  });

  it('cancelling a running request frees its slot at the next step, and the queued request starts', async () => {
    const { engine } = await engineWith({ kvCacheTokens: 1000, maxQueue: 4 });
    const long = engine.submit(request('Hello', 990));
    const stream = firstTokens(long);
    const queued = engine.submit(request('Hi', 20));
    expect(engine.stats()).toMatchObject({ activeSequences: 1, queueDepth: 1 });
    await stream.started;
    long.cancel();
    expect((await long.done).finishReason).toBe('cancelled');
    expect((await stream.all).length).toBeLessThan(990);
    const next = await collect(queued);
    expect(next.summary).toMatchObject({ finishReason: 'length', completionTokens: 20 });
  });

  it('cancelling a queued request removes it at once', async () => {
    const { engine } = await engineWith({ kvCacheTokens: 100, maxQueue: 4 });
    const running = engine.submit(request());
    const queued = engine.submit(request());
    expect(engine.stats().queueDepth).toBe(1);
    queued.cancel();
    expect(engine.stats().queueDepth).toBe(0);
    expect(await queued.done).toMatchObject({ finishReason: 'cancelled', completionTokens: 0 });
    expect((await collect(running)).summary.finishReason).toBe('length');
  });

  it('GENERATE_MAX_SEQUENCES caps the batch even when KV-cache room is left', async () => {
    const { engine } = await engineWith({ maxSequences: 2, maxQueue: 8 });
    const handles = [1, 2, 3].map(() => engine.submit(request()));
    expect(engine.stats()).toMatchObject({ activeSequences: 2, queueDepth: 1 });
    await Promise.all(handles.map(collect));
  });

  it('with two workers, a request goes to the one with free budget: two that each fill one worker run at once', async () => {
    const { engine } = await engineWith({ kvCacheTokens: 150, maxQueue: 4 }, 2);
    expect(engine.stats().kvCacheCapacityTokens).toBe(300);
    const expected = (await generate(engine, request())).tokens;
    const handles = [engine.submit(request()), engine.submit(request())];
    expect(engine.stats()).toMatchObject({ activeSequences: 2, queueDepth: 0 });
    const third = engine.submit(request());
    expect(engine.stats().queueDepth).toBe(1);
    for (const r of await Promise.all([...handles, third].map(collect))) expect(r.tokens).toEqual(expected);
  });
});

describe('the event loop', () => {
  it('keeps running timers while a long generation runs in the worker', async () => {
    const { engine } = await engineWith({});
    const handle = engine.submit(request('Hello', 1000));
    const stream = firstTokens(handle);
    let finished = false;
    void handle.done.then(() => (finished = true));
    await stream.started;
    // Timers fire between the worker's token messages: the main thread is never blocked by session.run.
    let ticks = 0;
    while (!finished && ticks < 5) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!finished) ticks += 1;
    }
    expect(ticks).toBe(5);
    handle.cancel();
    expect((await handle.done).finishReason).toBe('cancelled');
  });
});
