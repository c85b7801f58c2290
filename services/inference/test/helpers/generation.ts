import { InferenceEvents } from '../../src/batching/observer.js';
import type { GenerateRequest, GenerationEngine, GenerationHandle, GenerationSummary } from '../../src/generation/types.js';
import { ModelRegistry } from '../../src/model-repository/model-registry.js';
import type { GenerationDefaults } from '../../src/model-repository/version-loader.js';
import { WorkerPool } from '../../src/workers/worker-pool.js';

/** A worker pool and model registry over `repository`, loaded; no HTTP (the engine is driven directly). */
export async function startRegistry(
  repository: string,
  options: { workers?: number; generation?: Partial<GenerationDefaults>; allowExitMessage?: boolean } = {},
): Promise<{ registry: ModelRegistry; pool: WorkerPool; logs: string[]; close: () => Promise<void> }> {
  const events = new InferenceEvents();
  const logs: string[] = [];
  const pool = new WorkerPool({ size: options.workers ?? 1, events, warn: (m) => logs.push(m), allowExitMessage: options.allowExitMessage === true });
  const log = { info: (_: object, m: string) => logs.push(m), warn: (_: object, m: string) => logs.push(m), error: (_: object, m: string) => logs.push(m) };
  const registry = new ModelRegistry({
    repository,
    pool,
    events,
    log,
    batchDefaults: { maxQueueDelayMicroseconds: 2000, maxQueueSize: 1024 },
    intraOpThreads: 1,
    warmupDynamicDim: 8,
    generationDefaults: { maxSequences: 64, kvCacheTokens: 0, prefillChunkTokens: 128, maxQueue: 256, ...options.generation },
  });
  await registry.loadAll();
  return { registry, pool, logs, close: () => pool.close() };
}

/** Greedy parameters: argmax, no top-k / top-p. */
export const greedy = (maxTokens: number): GenerateRequest['params'] => ({ maxTokens, temperature: 0, topP: 1, topK: 0 });

/** Every token of a handle, in order, and its summary. */
export async function collect(handle: GenerationHandle): Promise<{ tokens: number[]; summary: GenerationSummary }> {
  const tokens: number[] = [];
  for await (const batch of handle.tokens) tokens.push(...batch);
  return { tokens, summary: await handle.done };
}

/** Submits and collects in one go. */
export function generate(engine: GenerationEngine, request: GenerateRequest): Promise<{ tokens: number[]; summary: GenerationSummary }> {
  return collect(engine.submit(request));
}

/** Prompt ids of `text` as the demo tokenizer encodes it (bytes), after <|bos|>. */
export const bytePrompt = (text: string): number[] => [256, ...Buffer.from(text, 'utf8')];
