import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoDecoderShape } from '../scripts/demo-model/decoder.js';
import { writeGenerativeModel } from '../scripts/demo-model/write-demo-model.js';
import type { GenerationHandle } from '../src/generation/types.js';
import { InferenceError } from '../src/protocol/errors.js';
import { bytePrompt, collect, generate, greedy, startRegistry } from './helpers/generation.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(options: Parameters<typeof startRegistry>[1] = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'generation-lifecycle-'));
  await writeGenerativeModel(dir);
  const service = await startRegistry(dir, options);
  cleanups.push(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, ...service };
}

const started = (handle: GenerationHandle): Promise<void> =>
  new Promise((resolve) => {
    void (async () => {
      for await (const _ of handle.tokens) resolve();
      resolve();
    })().catch(() => resolve());
  });

describe('generation and the worker lifecycle', () => {
  it('a worker that dies fails its sequences with 503 (no hang), and the replacement serves the next requests', async () => {
    const { registry, pool } = await setup({ allowExitMessage: true });
    const engine = registry.generationEngine('demo-llm');
    const expected = (await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(20), stopTokenIds: [] })).tokens;
    const doomed = engine.submit({ promptIds: bytePrompt('Hello'), params: greedy(1000), stopTokenIds: [] });
    await started(doomed);
    pool.crashWorker(0);
    const error = await doomed.done.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).statusCode).toBe(503);
    expect((error as Error).message).toContain('died');
    expect(engine.stats()).toMatchObject({ activeSequences: 0, kvCacheUsedTokens: 0 });
    // Submitted while no worker holds the model: it waits, and runs once the replacement has reloaded it.
    const after = await generate(engine, { promptIds: bytePrompt('Hello'), params: greedy(20), stopTokenIds: [] });
    expect(after.tokens).toEqual(expected);
    expect(after.summary.queueMs).toBeGreaterThan(0);
  });

  it('reloading a generative model swaps in a new engine; a generation running on the old one finishes', async () => {
    const { registry, dir } = await setup();
    const old = registry.generationEngine('demo-llm');
    const running = old.submit({ promptIds: bytePrompt('Hello'), params: greedy(300), stopTokenIds: [] });
    await started(running);
    // A new model version on disk: version 2 with other weights.
    await writeGenerativeModel(join(dir, 'v2'), 'demo-llm', { ...demoDecoderShape, seed: 77 });
    await rename(join(dir, 'v2', 'demo-llm', '1'), join(dir, 'demo-llm', '2'));
    const report = await registry.reload('demo-llm');
    expect(report.versions.map((v) => [v.version, v.state])).toEqual([[2, 'ready']]);
    const fresh = registry.generationEngine('demo-llm');
    expect(fresh).not.toBe(old);
    expect(fresh.info.version).toBe('2');
    const summary = await running.done;
    expect(summary).toMatchObject({ finishReason: 'length', completionTokens: 300 });
    const [a, b] = await Promise.all([
      generate(fresh, { promptIds: bytePrompt('Hello'), params: greedy(20), stopTokenIds: [] }),
      collect(fresh.submit({ promptIds: bytePrompt('Hello'), params: greedy(20), stopTokenIds: [] })),
    ]);
    expect(a.tokens).toEqual(b.tokens);
  });
});
