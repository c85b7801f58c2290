import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGenerativeModel } from '../scripts/demo-model/write-demo-model.js';
import type { GenerationEngine, GenerationHandle } from '../src/generation/types.js';
import { InferenceError } from '../src/protocol/errors.js';
import { bytePrompt, generate, greedy, startRegistry } from './helpers/generation.js';

const eos = 257;
const prompts = [
  'Hello',
  'The quick brown fox jumps over the lazy dog',
  'a',
  'Kubernetes GPU node pools, canary rollouts and a service level objective of 200 ms at the 95th percentile',
  'x'.repeat(150),
  'What is 2+2?',
];

let dir: string;
let service: Awaited<ReturnType<typeof startRegistry>>;
let engine: GenerationEngine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'generation-engine-'));
  await writeGenerativeModel(dir);
  // A small prefill chunk, so the long prompts are prefilled over several iterations while others decode.
  service = await startRegistry(dir, { workers: 1, generation: { prefillChunkTokens: 16 } });
  engine = service.registry.generationEngine('demo-llm');
});

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves once the handle has delivered at least `count` tokens (or ended); the tokens stay readable. */
function afterTokens(handle: GenerationHandle, count: number): { ready: Promise<void>; result: Promise<number[]> } {
  let signal!: () => void;
  const ready = new Promise<void>((resolve) => (signal = resolve));
  const result = (async () => {
    const tokens: number[] = [];
    for await (const batch of handle.tokens) {
      tokens.push(...batch);
      if (tokens.length >= count) signal();
    }
    signal();
    return tokens;
  })();
  return { ready, result };
}

describe('continuous batching', () => {
  it('gives every prompt, greedy, the same tokens as generating it alone, while prompts of different lengths join and leave mid-flight', async () => {
    const maxTokens = [300, 120, 400, 200, 350, 60];
    const alone: number[][] = [];
    for (const [i, text] of prompts.entries()) {
      alone.push((await generate(engine, { promptIds: bytePrompt(text), params: greedy(maxTokens[i] as number), stopTokenIds: [] })).tokens);
    }
    expect(alone.map((t) => t.length)).toEqual(maxTokens);
    // Staggered: each next request is submitted once the previous one has streamed a few tokens, so it joins a
    // running batch; the short ones (maxTokens 25, 15) leave while the others keep going.
    const results: Array<Promise<number[]>> = [];
    let mostAtOnce = 0;
    for (const [i, text] of prompts.entries()) {
      const handle = engine.submit({ promptIds: bytePrompt(text), params: greedy(maxTokens[i] as number), stopTokenIds: [] });
      const { ready, result } = afterTokens(handle, 3);
      results.push(result);
      await ready;
      mostAtOnce = Math.max(mostAtOnce, engine.stats().activeSequences);
    }
    const batched = await Promise.all(results);
    batched.forEach((tokens, i) => expect(tokens, `prompt ${i}`).toEqual(alone[i]));
    expect(mostAtOnce).toBeGreaterThanOrEqual(3);
    expect(engine.stats()).toMatchObject({ activeSequences: 0, queueDepth: 0, kvCacheUsedTokens: 0 });
  });

  it('batches prompts submitted together (prefill runs shared, padded before the chunk and before the past) and still matches each alone', async () => {
    const alone = [];
    for (const text of prompts) alone.push((await generate(engine, { promptIds: bytePrompt(text), params: greedy(30), stopTokenIds: [eos] })).tokens);
    const together = await Promise.all(prompts.map((text) => generate(engine, { promptIds: bytePrompt(text), params: greedy(30), stopTokenIds: [eos] })));
    expect(together.map((r) => r.tokens)).toEqual(alone);
  });
});

describe('finish reasons', () => {
  it('maxTokens ends with length after exactly that many tokens', async () => {
    const { tokens, summary } = await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(7), stopTokenIds: [] });
    expect(tokens).toHaveLength(7);
    expect(summary).toMatchObject({ finishReason: 'length', promptTokens: 6, completionTokens: 7 });
    expect(summary.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('the eos token ends with stop, is not delivered, and other prompts run on to maxTokens', async () => {
    const stopped = await generate(engine, { promptIds: bytePrompt('The quick brown fox'), params: greedy(200), stopTokenIds: [eos] });
    expect(stopped.summary.finishReason).toBe('stop');
    expect(stopped.tokens.length).toBeGreaterThan(0);
    expect(stopped.tokens.length).toBeLessThan(200);
    expect(stopped.tokens).not.toContain(eos);
    expect(stopped.summary.completionTokens).toBe(stopped.tokens.length);
    // Without eos among the stop ids the same prompt generates it like any token and goes on.
    const unstopped = await generate(engine, { promptIds: bytePrompt('The quick brown fox'), params: greedy(200), stopTokenIds: [] });
    expect(unstopped.summary.finishReason).toBe('length');
    expect(unstopped.tokens.slice(0, stopped.tokens.length)).toEqual(stopped.tokens);
    expect(unstopped.tokens[stopped.tokens.length]).toBe(eos);
  });

  it('a stop id other than eos stops at its first occurrence', async () => {
    const { tokens } = await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(40), stopTokenIds: [] });
    const stopAt = tokens[5] as number;
    const first = tokens.indexOf(stopAt);
    const stopped = await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(40), stopTokenIds: [stopAt] });
    expect(stopped.summary.finishReason).toBe('stop');
    expect(stopped.tokens).toEqual(tokens.slice(0, first));
  });
});

describe('sampling', () => {
  const sampled = (seed: number, text = 'Hello') =>
    ({ promptIds: bytePrompt(text), params: { maxTokens: 40, temperature: 1.2, topP: 0.95, topK: 50, seed }, stopTokenIds: [] });

  it('a seed reproduces the same tokens, alone or sharing the batch with other requests; another seed differs', async () => {
    const alone = await generate(engine, sampled(42));
    const busy = await Promise.all([
      generate(engine, sampled(7, 'The quick brown fox')),
      generate(engine, sampled(42)),
      generate(engine, { promptIds: bytePrompt('x'.repeat(90)), params: greedy(50), stopTokenIds: [] }),
    ]);
    expect(busy[1]?.tokens).toEqual(alone.tokens);
    const other = await generate(engine, sampled(43));
    expect(other.tokens).not.toEqual(alone.tokens);
    // Sampling at temperature > 0 is not greedy decoding.
    const argmax = await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(40), stopTokenIds: [] });
    expect(alone.tokens).not.toEqual(argmax.tokens);
  });

  it('top-k 1 is greedy whatever the temperature', async () => {
    const argmax = await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(30), stopTokenIds: [] });
    const topOne = await generate(engine, { promptIds: bytePrompt('Hello'), params: { maxTokens: 30, temperature: 5, topP: 1, topK: 1, seed: 1 }, stopTokenIds: [] });
    expect(topOne.tokens).toEqual(argmax.tokens);
  });
});

describe('request validation', () => {
  const status = (fn: () => unknown): { status: number; message: string } => {
    try {
      fn();
    } catch (error) {
      if (error instanceof InferenceError) return { status: error.statusCode, message: error.message };
      throw error;
    }
    throw new Error('expected an InferenceError');
  };

  it('a prompt that does not fit the context is 400, naming the lengths', () => {
    const context = engine.info.contextLength;
    expect(context).toBe(1024);
    const tooLong = status(() => engine.submit({ promptIds: new Array(context).fill(65), params: greedy(1), stopTokenIds: [] }));
    expect(tooLong).toMatchObject({ status: 400 });
    expect(tooLong.message).toContain('1024');
    const withMax = status(() => engine.submit({ promptIds: new Array(1000).fill(65), params: greedy(100), stopTokenIds: [] }));
    expect(withMax.status).toBe(400);
    expect(withMax.message).toMatch(/1000 tokens.*100.*1024/);
  });

  it('empty prompts and token ids outside the vocabulary are 400', () => {
    expect(status(() => engine.submit({ promptIds: [], params: greedy(1), stopTokenIds: [] })).status).toBe(400);
    const outside = status(() => engine.submit({ promptIds: [1, 261], params: greedy(1), stopTokenIds: [] }));
    expect(outside.status).toBe(400);
    expect(outside.message).toContain('0..260');
    expect(engine.stats().activeSequences).toBe(0);
  });

  it('a cancelled handle resolves done with cancelled and stops its stream', async () => {
    const handle = engine.submit({ promptIds: bytePrompt('Hello'), params: greedy(900), stopTokenIds: [] });
    const { ready, result } = afterTokens(handle, 2);
    await ready;
    handle.cancel();
    handle.cancel();
    const tokens = await result;
    const summary = await handle.done;
    expect(summary.finishReason).toBe('cancelled');
    expect(tokens.length).toBeLessThan(900);
    expect(engine.stats().activeSequences).toBe(0);
  });
});
