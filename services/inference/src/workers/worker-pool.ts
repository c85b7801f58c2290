import { Worker } from 'node:worker_threads';
import type { InferenceEvents } from '../batching/observer.js';
import { IntegrityError } from '../model-repository/integrity.js';
import { InferenceError } from '../protocol/errors.js';
import {
  transferList,
  type FromWorker,
  type LoadedReply,
  type SequenceEvent,
  type SequenceRequest,
  type SessionSpec,
  type SliceResult,
  type ToWorker,
  type WireTensor,
} from './messages.js';

/** Receives one generate sequence's events; the last one has `done` or `error`. */
export type SequenceListener = (event: SequenceEvent) => void;

export interface WorkerPoolOptions {
  /** Worker threads, each holding a session of every loaded model version. */
  readonly size: number;
  readonly events: InferenceEvents;
  /** Let the test-only `exit` control message end a worker (never set in production). */
  readonly allowExitMessage?: boolean;
  /** Where warnings go (GPU fallback, replacement reload failures). */
  readonly warn: (message: string) => void;
}

/** When and where a run executed: epoch ms at its start on the worker, and the worker's id (for tracing). */
export interface RunTiming {
  readonly startedAtMs?: number;
  readonly workerId?: number;
}

/** Outcome of a run: all outputs for the batch, or one result per request slice when the batch failed as a whole. */
export type RunResult =
  | ({ readonly kind: 'batch'; readonly outputs: readonly WireTensor[]; readonly computeMs: number } & RunTiming)
  | ({ readonly kind: 'slices'; readonly slices: readonly SliceResult[]; readonly computeMs: number } & RunTiming);

interface Pending {
  readonly resolve: (message: FromWorker) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly id: number;
  readonly startedAt: number;
  readonly thread: Worker;
  readonly pending: Map<number, Pending>;
  /** Model keys this worker has loaded and warmed up. */
  readonly loaded: Set<string>;
  /** Generate sequences running in this worker's decode loops, by sequence id. */
  readonly sequences: Map<number, SequenceListener>;
}

const bootstrap = new URL('./bootstrap.mjs', import.meta.url);
const entry = new URL('./worker.ts', import.meta.url).href;

/**
 * A fixed-size pool of worker threads running ONNX Runtime. Runs go to the least busy worker that has the model.
 * A worker that dies fails its in-flight runs with 503 (never leaves them hanging), is replaced, and the
 * replacement reloads every model version before it takes work.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly specs = new Map<string, SessionSpec>();
  private nextTaskId = 1;
  private nextWorkerId = 1;
  private closing = false;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  /** Workers able to run `key` now. The batcher keeps at most this many batches of a version in flight. */
  capacity(key: string): number {
    return this.slots.filter((s) => s.loaded.has(key)).length;
  }

  /** Loads a model version into every worker (integrity check and warm-up included). */
  async load(spec: SessionSpec): Promise<LoadedReply> {
    const replies = await Promise.all(this.slots.map((slot) => this.loadInto(slot, spec)));
    // Each worker reads the file itself: a file replaced while they read it would leave workers serving
    // different models under one key, and answers would depend on which worker ran the batch.
    if (new Set(replies.map((r) => r.sha256)).size > 1) {
      this.unload(spec.key);
      throw new Error(`${spec.file} changed while it was being loaded (workers read different bytes); load it again`);
    }
    this.specs.set(spec.key, spec);
    return replies[0] as LoadedReply;
  }

  unload(key: string): void {
    this.specs.delete(key);
    for (const slot of this.slots) {
      slot.loaded.delete(key);
      this.post(slot, { kind: 'unload', key });
    }
  }

  /** Runs one batch; `rows` lists how many rows each request contributed. */
  async run(key: string, inputs: readonly WireTensor[], rows: readonly number[]): Promise<RunResult> {
    const candidates = this.slots.filter((s) => s.loaded.has(key));
    if (candidates.length === 0) throw new InferenceError(503, `no worker has model ${key} loaded; retry shortly`);
    const slot = candidates.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const taskId = this.nextTaskId++;
    const reply = await this.request(slot, taskId, { kind: 'run', taskId, key, inputs, rows }, transferList(inputs));
    const timing = { startedAtMs: (reply as { startedAtMs?: number }).startedAtMs, workerId: slot.id };
    if (reply.kind === 'result') return { kind: 'batch', outputs: reply.outputs, computeMs: reply.computeMs, ...timing };
    if (reply.kind === 'partial') return { kind: 'slices', slices: reply.slices, computeMs: reply.computeMs, ...timing };
    throw new Error(reply.kind === 'error' ? reply.message : `unexpected worker reply ${reply.kind}`);
  }

  /** Ids of the workers that hold `key` loaded now (each runs its own decode loop for a generative version). */
  workersWith(key: string): number[] {
    return this.slots.filter((s) => s.loaded.has(key)).map((s) => s.id);
  }

  /**
   * Starts a generate sequence in worker `workerId`'s decode loop for `key`; `listener` gets its events until one
   * has `done` or `error` (also sent if the worker dies). Returns the sequence id, for `cancelGeneration`.
   */
  generate(workerId: number, key: string, request: Omit<SequenceRequest, 'seqId'>, listener: SequenceListener): number {
    const slot = this.slots.find((s) => s.id === workerId && s.loaded.has(key));
    if (!slot) throw new InferenceError(503, `worker ${workerId} does not hold model ${key}; retry shortly`);
    const seqId = this.nextTaskId++;
    slot.sequences.set(seqId, listener);
    this.post(slot, { kind: 'generate', key, request: { ...request, seqId } });
    return seqId;
  }

  /** Asks the worker to drop the sequence at its next step; its done event then says `cancelled`. */
  cancelGeneration(workerId: number, key: string, seqId: number): void {
    const slot = this.slots.find((s) => s.id === workerId);
    if (slot?.sequences.has(seqId)) this.post(slot, { kind: 'generate-cancel', key, seqId });
  }

  /** Test hook: makes worker `index` exit as if it had crashed, now or when its next run arrives. */
  crashWorker(index: number, when: 'now' | 'during-next-run' = 'now'): void {
    const slot = this.slots[index];
    if (!slot) throw new Error(`no worker ${index}`);
    this.post(slot, { kind: 'exit', code: 70, duringNextRun: when === 'during-next-run' });
  }

  /** Worker thread ids, in slot order (changes when a worker is replaced). */
  workerIds(): number[] {
    return this.slots.map((s) => s.id);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }

  private spawn(): Slot {
    const thread = new Worker(bootstrap, { workerData: { entry, allowExitMessage: this.options.allowExitMessage === true } });
    const slot: Slot = { id: this.nextWorkerId++, startedAt: Date.now(), thread, pending: new Map(), loaded: new Set(), sequences: new Map() };
    let lastError = '';
    thread.on('message', (message: FromWorker) => {
      if (message.kind === 'generate-events') {
        for (const event of message.events) {
          const listener = slot.sequences.get(event.seqId);
          if (event.done || event.error) slot.sequences.delete(event.seqId);
          listener?.(event);
        }
        return;
      }
      const pending = slot.pending.get(message.taskId);
      slot.pending.delete(message.taskId);
      pending?.resolve(message);
    });
    thread.on('error', (error) => {
      lastError = error.message;
    });
    thread.on('exit', (code) => this.onExit(slot, lastError || `exit code ${code}`));
    return slot;
  }

  private onExit(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    for (const pending of slot.pending.values()) {
      pending.reject(new InferenceError(503, `the worker thread running this request died (${reason}); retry the request`));
    }
    slot.pending.clear();
    for (const [seqId, listener] of slot.sequences) listener({ seqId, tokens: [], error: `the worker thread running this generation died (${reason})` });
    slot.sequences.clear();
    slot.loaded.clear();
    if (this.closing || index < 0) return;
    this.options.events.workerRestart({ workerId: slot.id, reason });
    // A worker that dies right after starting would otherwise be respawned in a tight loop.
    const delayMs = Date.now() - slot.startedAt < 1000 ? 1000 : 0;
    setTimeout(() => {
      if (this.closing) return;
      const replacement = this.spawn();
      this.slots[index] = replacement;
      for (const spec of this.specs.values()) {
        this.loadInto(replacement, spec).catch((error: Error) =>
          this.options.warn(`replacement worker ${replacement.id} could not load ${spec.key}: ${error.message}`),
        );
      }
    }, delayMs).unref();
  }

  private async loadInto(slot: Slot, spec: SessionSpec): Promise<LoadedReply> {
    const taskId = this.nextTaskId++;
    const reply = await this.request(slot, taskId, { kind: 'load', taskId, spec });
    if (reply.kind === 'error') {
      if (reply.integrity) throw new IntegrityError(spec.file, reply.integrity.expected, reply.integrity.actual);
      throw new Error(reply.message);
    }
    if (reply.kind !== 'loaded') throw new Error(`unexpected worker reply ${reply.kind}`);
    for (const warning of reply.warnings) this.options.warn(`${spec.key}: ${warning}`);
    slot.loaded.add(spec.key);
    return reply;
  }

  private request(slot: Slot, taskId: number, message: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      slot.pending.set(taskId, { resolve, reject });
      this.post(slot, message, transfer);
    });
  }

  private post(slot: Slot, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    slot.thread.postMessage(message, transfer);
  }
}
