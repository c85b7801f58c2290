/**
 * npm run bench:generate — one run answers: what does continuous batching buy for text generation, on this
 * machine, against generating one request at a time? Same model (models/demo-llm), same prompts of mixed lengths
 * (8–256 tokens), every request generating exactly BENCH_GENERATE_TOKENS tokens (no stop ids, so all designs do
 * the same work). Designs:
 *   engine   the service's GenerationEngine (worker threads, continuous batching), driven directly (no HTTP), with
 *            1, 8, 32 and 64 concurrent closed-loop streams;
 *   naive    one request at a time: prefill, then one session.run per token at batch 1, on this thread (one
 *            intra-op thread: on a model this small more threads would mostly spin);
 *   transformers.js  @huggingface/transformers' text-generation pipeline on the same files from a local folder,
 *            one request at a time (it has no continuous batching).
 * Prints aggregate tokens/s, TTFT and ITL p50/p99, ratios and the targets of issue 9, and writes
 * bench/results/generate-<timestamp>.{json,md}. Env: BENCH_GENERATE_TOKENS (64), BENCH_GENERATE_REQUESTS_PER_STREAM (2).
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { InferenceEvents } from '../src/batching/observer.js';
import { loadConfig } from '../src/config.js';
import { argmax } from '../src/generation/sampling.js';
import type { GenerationEngine } from '../src/generation/types.js';
import { ModelRegistry } from '../src/model-repository/model-registry.js';
import { generationDefaultsOf } from '../src/model-repository/version-loader.js';
import { WorkerPool } from '../src/workers/worker-pool.js';
import { renderGenerateMarkdown, summarize, type DesignFigures, type GenerateBenchReport, type RequestTiming } from './generate-report.js';

const maxTokens = Number(process.env.BENCH_GENERATE_TOKENS ?? 64);
const perStream = Number(process.env.BENCH_GENERATE_REQUESTS_PER_STREAM ?? 2);
const streamLevels = [1, 8, 32, 64];
const modelFolder = fileURLToPath(new URL('../models/demo-llm/', import.meta.url));
const loadAverageAtStart = loadavg().map((l) => Number(l.toFixed(2)));

/** Deterministic prompts of mixed lengths: <|bos|> + printable bytes, lengths cycling through 8..256. */
const promptLengths = [8, 256, 16, 128, 32, 64, 24, 192, 48, 96];
const prompts = promptLengths.map((length, i) => [256, ...Array.from({ length: length - 1 }, (_, j) => 97 + ((i * 7 + j * 3) % 26))]);
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const promptText = (ids: readonly number[]): string => `<|bos|>${Buffer.from(ids.slice(1)).toString('latin1')}`;

async function runEngine(engine: GenerationEngine, streams: number): Promise<DesignFigures> {
  const total = Math.max(streams * perStream, 8);
  let next = 0;
  const timings: RequestTiming[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  const stream = async (): Promise<void> => {
    while (next < total) {
      const promptIds = prompts[next++ % prompts.length] as number[];
      const submitted = performance.now();
      const handle = engine.submit({ promptIds, params: { maxTokens, temperature: 0, topP: 1, topK: 0 }, stopTokenIds: [] });
      const arrivals: number[] = [];
      for await (const batch of handle.tokens) {
        const now = performance.now();
        for (let i = 0; i < batch.length; i++) arrivals.push(now);
      }
      await handle.done;
      timings.push({ submitted, arrivals });
    }
  };
  await Promise.all(Array.from({ length: streams }, stream));
  return summarize(`engine, ${streams} stream${streams > 1 ? 's' : ''}`, streams, timings, performance.now() - started, cpuSeconds(cpu), workers);
}

/** One request at a time, batch 1, straight on ONNX Runtime: the design continuous batching replaces. */
async function runNaive(requests: number): Promise<DesignFigures> {
  const session = await ort.InferenceSession.create(await readFile(join(modelFolder, '1', 'model.onnx')), {
    // One request at a time keeps one core busy; more intra-op threads only spin on matrices this small.
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 4,
  });
  const config = JSON.parse(await readFile(join(modelFolder, '1', 'config.json'), 'utf8'));
  const { num_hidden_layers: layers, num_key_value_heads: kvHeads, head_dim: headDim, vocab_size: vocab } = config;
  const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
  const timings: RequestTiming[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let r = 0; r < requests; r++) {
    const prompt = prompts[r % prompts.length] as number[];
    const submitted = performance.now();
    const arrivals: number[] = [];
    let past: Record<string, ort.Tensor> = {};
    for (let l = 0; l < layers; l++) {
      for (const kind of ['key', 'value']) past[`past_key_values.${l}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    }
    let input = prompt;
    let length = 0;
    while (arrivals.length < maxTokens) {
      const out = await session.run({
        input_ids: int64(input),
        attention_mask: int64(new Array(length + input.length).fill(1)),
        position_ids: int64(input.map((_, i) => length + i)),
        ...past,
      });
      length += input.length;
      const logits = out.logits as ort.Tensor;
      const token = argmax(logits.data as Float32Array, (input.length - 1) * vocab, vocab);
      arrivals.push(performance.now());
      input = [token];
      past = {};
      for (let l = 0; l < layers; l++) for (const kind of ['key', 'value']) past[`past_key_values.${l}.${kind}`] = out[`present.${l}.${kind}`] as ort.Tensor;
    }
    timings.push({ submitted, arrivals });
  }
  await session.release();
  return summarize('naive, one request at a time', 1, timings, performance.now() - started, cpuSeconds(cpu), 1);
}

/** transformers.js on the same folder; returns why not when it cannot load it. */
async function runTransformersJs(requests: number, repository: string): Promise<DesignFigures | { readonly skipped: string }> {
  try {
    const { env, pipeline } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = `${repository}/`;
    // The version folder holds model.onnx itself (transformers.js looks in onnx/ by default).
    const generator = await pipeline('text-generation', 'demo-llm/1', { subfolder: '', dtype: 'fp32', device: 'cpu' } as never);
    const timings: RequestTiming[] = [];
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let r = 0; r < requests; r++) {
      const text = promptText(prompts[r % prompts.length] as number[]);
      const submitted = performance.now();
      const arrivals: number[] = [];
      let calls = 0;
      // A streamer sees the prompt first, then one call per generated token.
      const streamer = { put: () => (calls++ > 0 ? arrivals.push(performance.now()) : 0), end: () => undefined };
      await (generator as unknown as (t: string, o: object) => Promise<unknown>)(text, { max_new_tokens: maxTokens, min_new_tokens: maxTokens, do_sample: false, streamer });
      if (arrivals.length !== maxTokens) throw new Error(`the pipeline generated ${arrivals.length} tokens, expected ${maxTokens}`);
      timings.push({ submitted, arrivals });
    }
    await (generator as unknown as { dispose?: () => Promise<void> }).dispose?.();
    return summarize('transformers.js pipeline, one request at a time', 1, timings, performance.now() - started, cpuSeconds(cpu), 1);
  } catch (error) {
    return { skipped: `transformers.js could not run the model: ${(error as Error).message}` };
  }
}

const repository = await mkdtemp(join(tmpdir(), 'bench-generate-'));
await cp(modelFolder, join(repository, 'demo-llm'), { recursive: true });
const config = loadConfig();
const workers = config.workerThreads;
const events = new InferenceEvents();
const pool = new WorkerPool({ size: config.workerThreads, events, warn: (m) => console.warn(m) });
const log = { info: () => undefined, warn: (_: object, m: string) => console.warn(m), error: (_: object, m: string) => console.error(m) };
const registry = new ModelRegistry({
  repository,
  pool,
  events,
  log,
  batchDefaults: { maxQueueDelayMicroseconds: config.maxQueueDelayMicroseconds, maxQueueSize: config.maxQueueSize },
  intraOpThreads: config.intraOpThreads,
  warmupDynamicDim: config.warmupDynamicDim,
  generationDefaults: generationDefaultsOf(config),
});
await registry.loadAll();
const engine = registry.generationEngine('demo-llm');
console.log(`bench:generate — ${maxTokens} tokens per request, prompts of ${Math.min(...promptLengths)}–${Math.max(...promptLengths)} tokens, load average ${loadAverageAtStart.join(' / ')}`);

await runEngine(engine, 8); // warm-up: JIT, allocator, first repacks
const engineRuns: DesignFigures[] = [];
for (const streams of streamLevels) {
  const figures = await runEngine(engine, streams);
  engineRuns.push(figures);
  console.log(`  ${figures.name}: ${figures.tokensPerSecond.toFixed(0)} tokens/s, TTFT p50 ${figures.ttftP50Ms.toFixed(1)} ms p99 ${figures.ttftP99Ms.toFixed(1)} ms, ITL p50 ${figures.itlP50Ms.toFixed(2)} ms p99 ${figures.itlP99Ms.toFixed(2)} ms`);
}
await pool.close();
const naive = await runNaive(16);
console.log(`  ${naive.name}: ${naive.tokensPerSecond.toFixed(0)} tokens/s, ITL p50 ${naive.itlP50Ms.toFixed(2)} ms`);
const transformersJs = await runTransformersJs(8, repository);
console.log('skipped' in transformersJs ? `  ${transformersJs.skipped}` : `  ${transformersJs.name}: ${transformersJs.tokensPerSecond.toFixed(0)} tokens/s`);
await rm(repository, { recursive: true, force: true });

const at = (streams: number): DesignFigures => engineRuns.find((r) => r.streams === streams) as DesignFigures;
const report: GenerateBenchReport = {
  date: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
  },
  settings: {
    maxTokens,
    requestsPerStream: perStream,
    workerThreads: config.workerThreads,
    intraOpThreads: config.intraOpThreads,
    maxSequences: config.generateMaxSequences,
    prefillChunkTokens: config.generatePrefillChunkTokens,
    promptLengths: promptLengths.join('/'),
  },
  engine: engineRuns,
  naive,
  transformersJs,
  targets: {
    throughputAt32OverNaive: at(32).tokensPerSecond / naive.tokensPerSecond,
    itlP99At32OverSingleStream: at(32).itlP99Ms / at(1).itlP99Ms,
    projectedThroughputAt32OverNaive: at(32).projectedTokensPerSecond / naive.projectedTokensPerSecond,
    itlP50At32OverSingleStream: at(32).itlP50Ms / at(1).itlP50Ms,
  },
};
const markdown = renderGenerateMarkdown(report);
console.log(`\n${markdown}`);
const stamp = report.date.replace(/[:.]/g, '-');
const results = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(results, { recursive: true });
await writeFile(join(results, `generate-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(results, `generate-${stamp}.md`), markdown);
console.log(`wrote bench/results/generate-${stamp}.{json,md}`);
