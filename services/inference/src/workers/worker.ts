/**
 * The worker thread: holds ONNX Runtime sessions and runs batches. `session.run` is synchronous on the calling
 * thread, which is why it lives here and not on the event loop that answers health checks and parses requests.
 */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { DecodeLoop } from '../generation/decode-loop.js';
import { decoderLayout, isDecoderGraph } from '../generation/decoder-layout.js';
import { sha256Hex } from '../model-repository/integrity.js';
import type { TypedArray } from '../protocol/datatypes.js';
import { transferList, type FromWorker, type LoadedReply, type SessionSpec, type SliceResult, type ToWorker, type WireTensor } from './messages.js';
import { openSession } from './session-factory.js';
import { warmupFeeds } from './warmup.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const allowExitMessage = (workerData as { allowExitMessage?: boolean }).allowExitMessage === true;
// Our log lines report load and run failures with context; ONNX Runtime's own stderr copies would only add noise.
ort.env.logLevel = 'fatal';
const sessions = new Map<string, ort.InferenceSession>();
/** Decode loops of the generative versions, by key (their sessions are in `sessions` too). */
const loops = new Map<string, DecodeLoop>();
let exitOnNextRun: number | undefined;

const reply = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'load':
      load(message.taskId, message.spec).catch((error: Error) => reply({ kind: 'error', taskId: message.taskId, message: error.message }));
      break;
    case 'run':
      if (exitOnNextRun !== undefined) process.exit(exitOnNextRun);
      run(message.taskId, message.key, message.inputs, message.rows).catch((error: Error) =>
        reply({ kind: 'error', taskId: message.taskId, message: error.message }),
      );
      break;
    case 'unload':
      loops.get(message.key)?.close();
      loops.delete(message.key);
      void sessions.get(message.key)?.release();
      sessions.delete(message.key);
      break;
    case 'generate': {
      const loop = loops.get(message.key);
      if (loop) loop.add(message.request);
      else reply({ kind: 'generate-events', key: message.key, events: [{ seqId: message.request.seqId, tokens: [], error: `model ${message.key} is not loaded in this worker` }] });
      break;
    }
    case 'generate-cancel':
      loops.get(message.key)?.cancel(message.seqId);
      break;
    case 'exit':
      if (!allowExitMessage) break;
      if (message.duringNextRun) exitOnNextRun = message.code;
      else process.exit(message.code);
      break;
  }
});

async function load(taskId: number, spec: SessionSpec): Promise<void> {
  // Hash the very bytes ONNX Runtime will load, so nothing can change between check and use.
  const bytes = await readFile(spec.file);
  // Always hashed, config.json sha256 or not: the hash is the model's fingerprint in the result cache key, so two
  // different files served under one version number (stable vs canary pods sharing Redis) never share answers.
  const actual = sha256Hex(bytes);
  if (spec.expectedSha256) {
    if (actual !== spec.expectedSha256) {
      reply({ kind: 'error', taskId, message: `sha256 mismatch for ${spec.file}`, integrity: { expected: spec.expectedSha256, actual } });
      return;
    }
  }
  const { session, provider, warnings } = await openSession(bytes, spec.executionProviders, spec.gpuRequired, spec.intraOpThreads);
  const metadata = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
    list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
  const inputs = metadata(session.inputMetadata);
  const outputs = metadata(session.outputMetadata);
  const base = { kind: 'loaded', taskId, inputs, outputs, provider, warnings, sha256: actual } as const;
  if (!spec.generation && isDecoderGraph(inputs, outputs)) {
    await session.release();
    // A decoder's zero-filled tensor warm-up would fail on mismatched mask and past lengths; say what is missing.
    throw new Error(spec.generationProblem ?? `${spec.file} is a decoder with a KV cache (past_key_values inputs, logits output) but has no tokenizer.json beside it; add the Hugging Face tokenizer files to serve it as a generative model`);
  }
  if (spec.generation && isDecoderGraph(inputs, outputs)) {
    try {
      reply(await loadDecoder(spec, session, base));
    } catch (error) {
      await session.release();
      throw error;
    }
    return;
  }
  const feeds = warmupFeeds(session, spec.warmupBatch, spec.warmupDynamicDim);
  await session.run(feeds);
  // Best of three timed runs: the figure sizes the default batch, and one run on a busy machine is noise.
  let warmupMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await session.run(feeds);
    warmupMs = Math.min(warmupMs, performance.now() - started);
  }
  await sessions.get(spec.key)?.release();
  sessions.set(spec.key, session);
  reply({ ...base, warmupMs });
}

/**
 * A generative version: reads the decoder layout from the graph, warms up with a short greedy generation through
 * a throw-away loop (prefill + decode steps, the paths requests take), then installs the loop that serves `key`.
 */
async function loadDecoder(spec: SessionSpec, session: ort.InferenceSession, base: Omit<LoadedReply, 'warmupMs'>): Promise<LoadedReply> {
  const generation = spec.generation as NonNullable<SessionSpec['generation']>;
  const layout = decoderLayout(base.inputs, base.outputs, generation.hints);
  const settings = { contextLength: generation.contextLength, prefillChunkTokens: generation.prefillChunkTokens };
  const warmupTokens = 4;
  const probe = async (): Promise<number> => {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const loop = new DecodeLoop(session, layout, settings, (events) => {
        for (const event of events) {
          if (event.error) reject(new Error(`warm-up generation failed: ${event.error}`));
          else if (event.done) resolve();
        }
      });
      const promptIds = Array.from({ length: 8 }, (_, i) => i % layout.vocabSize);
      loop.add({ seqId: 0, promptIds, params: { maxTokens: warmupTokens, temperature: 0, topP: 1, topK: 0 }, seed: 0, stopTokenIds: [] });
    });
    return performance.now() - started;
  };
  await probe();
  const warmupMs = Math.min(await probe(), await probe());
  const loop = new DecodeLoop(session, layout, settings, (events) => reply({ kind: 'generate-events', key: spec.key, events }));
  // Weighs decode buckets by this model's costs on this machine (src/generation/buckets.ts).
  await loop.calibrate();
  await sessions.get(spec.key)?.release();
  loops.get(spec.key)?.close();
  sessions.set(spec.key, session);
  loops.set(spec.key, loop);
  return { ...base, warmupMs, generative: { layout } };
}

async function run(taskId: number, key: string, inputs: readonly WireTensor[], rows: readonly number[]): Promise<void> {
  const session = sessions.get(key);
  if (!session) throw new Error(`model ${key} is not loaded in this worker`);
  const started = performance.now();
  // Epoch time from this thread's clock: the main thread turns it into the worker.compute span (src/tracing).
  const startedAtMs = performance.timeOrigin + started;
  try {
    const outputs = await execute(session, inputs);
    reply({ kind: 'result', taskId, outputs, computeMs: performance.now() - started, startedAtMs }, transferList(outputs));
  } catch (error) {
    if (rows.length <= 1) {
      reply({ kind: 'partial', taskId, slices: [{ error: (error as Error).message }], computeMs: performance.now() - started, startedAtMs });
      return;
    }
    // One bad request (say, a token id outside the vocabulary) must not fail the requests batched with it.
    const slices: SliceResult[] = [];
    let offset = 0;
    for (const count of rows) {
      const slice = inputs.map((t) => sliceRows(t, offset, count));
      offset += count;
      slices.push(await execute(session, slice).then((outputs) => ({ outputs }), (e: Error) => ({ error: e.message })));
    }
    const transfer = slices.flatMap((s) => ('outputs' in s ? transferList(s.outputs) : []));
    reply({ kind: 'partial', taskId, slices, computeMs: performance.now() - started, startedAtMs }, transfer);
  }
}

async function execute(session: ort.InferenceSession, inputs: readonly WireTensor[]): Promise<WireTensor[]> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of inputs) feeds[t.name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
  const results = await session.run(feeds);
  return session.outputNames.map((name) => {
    const tensor = results[name];
    if (!tensor) throw new Error(`model did not produce output '${name}'`);
    // Copy into a buffer we own: it is the one we can move to the main thread.
    const data = (tensor.data as TypedArray).slice();
    return { name, type: tensor.type as WireTensor['type'], dims: [...tensor.dims], data };
  });
}

function sliceRows(tensor: WireTensor, offset: number, count: number): WireTensor {
  const rowSize = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
  return { ...tensor, dims: [count, ...tensor.dims.slice(1)], data: tensor.data.slice(offset * rowSize, (offset + count) * rowSize) };
}
