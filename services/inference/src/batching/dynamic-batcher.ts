import { InferenceError, badRequest } from '../protocol/errors.js';
import type { HostTensor, InferRequest, TensorSpec } from '../protocol/types.js';
import { BatchTrace, endQueueWait, startQueueWait, type QueuedTrace } from '../tracing/batch-spans.js';
import type { TraceParent } from '../tracing/request-trace.js';
import type { RunResult } from '../workers/worker-pool.js';
import type { WireTensor } from '../workers/messages.js';
import { assembleBatch, splitBatch, toHostTensors } from './batch-assembly.js';
import type { BatchSettings } from './batch-settings.js';
import type { InferenceEvents } from './observer.js';

/** What executes batches: the worker pool, or anything else with the same two methods. */
export interface BatchRunner {
  /** How many batches of `key` may run at once (workers holding the model). */
  capacity(key: string): number;
  run(key: string, inputs: readonly WireTensor[], rows: readonly number[]): Promise<RunResult>;
}

export interface BatcherTarget {
  readonly model: string;
  readonly version: number;
  /** Runner key of the model version. */
  readonly key: string;
  readonly inputs: readonly TensorSpec[];
}

interface Queued {
  readonly inputs: readonly HostTensor[];
  readonly rows: number;
  readonly enqueuedAt: number;
  readonly resolve: (outputs: HostTensor[]) => void;
  readonly reject: (error: Error) => void;
  /** Told this request's share of the batch's worker time (usage accounting), before it resolves. */
  readonly meter?: ComputeMeter;
  /** The request's queue.wait span and parent when it is traced (src/tracing/batch-spans.ts); always present, so every Queued has one shape. */
  readonly trace: QueuedTrace | undefined;
}

/** Receives a request's share of its batch's worker time: computeMs × its rows ÷ the batch's rows. */
export type ComputeMeter = (shareMs: number) => void;

/**
 * Triton-style dynamic batcher for one model version. Requests wait in groups keyed by their non-batch
 * dimensions (only equal shapes are combined, never padded). A group is dispatched when a worker is free and
 * either it fills maxBatchSize, reaches a preferred batch size, or its oldest request has waited
 * maxQueueDelayMicroseconds. While every worker is busy, requests keep accumulating, so batches grow with load.
 */
export class DynamicBatcher {
  private readonly groups = new Map<string, Queued[]>();
  private depth = 0;
  private inflight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline = 0;
  private recentComputeMs = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly target: BatcherTarget,
    readonly settings: BatchSettings,
    private readonly runner: BatchRunner,
    private readonly events: InferenceEvents,
  ) {}

  /** Requests waiting (not yet dispatched). */
  get queueDepth(): number {
    return this.depth;
  }

  /**
   * Queues a validated request; resolves with all of the model's outputs for it. `meter` is told the request's
   * share of the batch's worker time (usage accounting); `parent` is the request's span, when traced.
   */
  submit(request: InferRequest, meter?: ComputeMeter, parent?: TraceParent): Promise<HostTensor[]> {
    const rows = this.rowsOf(request.inputs);
    if (this.depth >= this.settings.maxQueueSize) {
      const retryAfter = this.retryAfterSeconds();
      throw new InferenceError(
        429,
        `model ${this.target.model} version ${this.target.version} has ${this.depth} requests queued (maxQueueSize ${this.settings.maxQueueSize}); retry after ${retryAfter} s`,
        { 'retry-after': String(retryAfter) },
      );
    }
    const signature = this.settings.maxBatchSize === 0 ? `solo:${Math.random()}` : signatureOf(this.target.inputs, request.inputs);
    return new Promise((resolve, reject) => {
      const group = this.groups.get(signature) ?? [];
      const trace = parent === undefined ? undefined : startQueueWait(parent, { model: this.target.model, version: this.target.version, rows });
      group.push({ inputs: request.inputs, rows, enqueuedAt: performance.now(), resolve, reject, trace, ...(meter && { meter }) });
      this.groups.set(signature, group);
      this.setDepth(this.depth + 1);
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or running (for graceful shutdown). */
  idle(): Promise<void> {
    if (this.depth === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private rowsOf(inputs: readonly HostTensor[]): number {
    if (this.settings.maxBatchSize === 0) return 1;
    const first = inputs[0];
    const rows = first?.shape[0] ?? 0;
    for (const t of inputs) {
      if (t.shape[0] !== rows) throw badRequest(`inputs disagree on the batch dimension: '${first?.name}' has ${rows}, '${t.name}' has ${t.shape[0]}`);
    }
    if (rows < 1) throw badRequest(`input '${first?.name}': the batch dimension (dimension 0) must be at least 1`);
    if (rows > this.settings.maxBatchSize) {
      throw badRequest(`input '${first?.name}': batch of ${rows} rows exceeds the model's maxBatchSize ${this.settings.maxBatchSize}`);
    }
    return rows;
  }

  private schedule(): void {
    const now = performance.now();
    if (this.runner.capacity(this.target.key) === 0) {
      // No worker holds the model (all replaced at once): fail fast instead of leaving requests hanging.
      this.failQueued(new InferenceError(503, `no worker has model ${this.target.model} version ${this.target.version} loaded; retry shortly`));
      return;
    }
    while (this.inflight < this.runner.capacity(this.target.key)) {
      const batch = this.takeReadyBatch(now);
      if (!batch) break;
      void this.dispatch(batch, now);
    }
    this.armTimer(now);
  }

  /** The next batch to run, oldest group first, or undefined when no group is ready yet. */
  private takeReadyBatch(now: number): Queued[] | undefined {
    const { maxBatchSize, preferredBatchSizes, maxQueueDelayMicroseconds } = this.settings;
    const groups = [...this.groups.entries()].sort(([, a], [, b]) => (a[0]?.enqueuedAt ?? 0) - (b[0]?.enqueuedAt ?? 0));
    for (const [signature, group] of groups) {
      const limit = Math.max(1, maxBatchSize);
      const rows = group.reduce((n, q) => n + q.rows, 0);
      const expired = now - (group[0]?.enqueuedAt ?? now) >= maxQueueDelayMicroseconds / 1000;
      const preferred = [...preferredBatchSizes].reverse().find((size) => size <= rows);
      // Full batch first; once the oldest request has waited its delay, everything queued; before that only a
      // preferred size (Triton's order).
      const target = rows >= limit ? limit : expired ? rows : preferred ?? 0;
      if (target === 0) continue;
      const batch: Queued[] = [];
      let taken = 0;
      while (group.length > 0 && taken + (group[0]?.rows ?? 0) <= target) {
        const next = group.shift() as Queued;
        taken += next.rows;
        batch.push(next);
      }
      // A head request with more rows than the chosen preferred size still runs, alone (rowsOf caps it at maxBatchSize).
      if (batch.length === 0 && group.length > 0) batch.push(group.shift() as Queued);
      if (group.length === 0) this.groups.delete(signature);
      if (batch.length > 0) return batch;
    }
    return undefined;
  }

  private armTimer(now: number): void {
    if (this.depth === 0 || this.inflight >= this.runner.capacity(this.target.key)) {
      this.disarmTimer();
      return;
    }
    let oldest = now;
    for (const group of this.groups.values()) oldest = Math.min(oldest, group[0]?.enqueuedAt ?? now);
    const deadline = oldest + this.settings.maxQueueDelayMicroseconds / 1000;
    // Requests arriving behind the oldest one do not move its deadline: keep the timer rather than re-creating it
    // on every submit (a new Timeout per request showed up in profiles under load).
    if (this.timer !== undefined && this.timerDeadline === deadline) return;
    this.disarmTimer();
    this.timerDeadline = deadline;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, Math.max(0, deadline - now));
  }

  private disarmTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async dispatch(batch: Queued[], now: number): Promise<void> {
    this.inflight++;
    this.setDepth(this.depth - batch.length);
    const rows = batch.map((q) => q.rows);
    const queueMs = batch.map((q) => now - q.enqueuedAt);
    let result: RunResult | undefined;
    const traced = batch.some((q) => q.trace !== undefined)
      ? BatchTrace.start(batch.map((q) => q.trace), { model: this.target.model, version: this.target.version, rows })
      : undefined;
    let failed: Error | undefined;
    try {
      const assemble = () => assembleBatch(this.target.inputs, batch.map((q) => q.inputs), rows);
      const inputs = traced ? traced.assemble(assemble) : assemble();
      result = await this.runner.run(this.target.key, inputs, rows);
      chargeCompute(batch, result.computeMs);
      traced?.computed(result.startedAtMs, result.computeMs, { workerId: result.workerId, partial: result.kind === 'slices' });
      this.deliver(batch, rows, result);
    } catch (error) {
      const failure = error instanceof InferenceError ? error : new InferenceError(500, `inference failed: ${(error as Error).message}`);
      failed = failure;
      for (const q of batch) q.reject(failure);
    } finally {
      traced?.end(failed);
      this.inflight--;
      const computeMs = result?.computeMs ?? 0;
      this.recentComputeMs = computeMs;
      const ok = result !== undefined && (result.kind === 'batch' || result.slices.some((s) => 'outputs' in s));
      this.events.batch({ model: this.target.model, version: this.target.version, batchSize: rows.reduce((a, b) => a + b, 0), queueMs, computeMs, ok });
      this.schedule();
      if (this.depth === 0 && this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private deliver(batch: readonly Queued[], rows: readonly number[], result: RunResult): void {
    if (result.kind === 'batch') {
      const split = splitBatch(result.outputs, rows);
      batch.forEach((q, i) => q.resolve(split[i] ?? []));
      return;
    }
    batch.forEach((q, i) => {
      const slice = result.slices[i];
      if (slice && 'outputs' in slice) q.resolve(toHostTensors(slice.outputs));
      else q.reject(badRequest(`the model rejected this request: ${slice?.error ?? 'no result'}`));
    });
  }

  private failQueued(error: InferenceError): void {
    for (const group of this.groups.values()) {
      for (const q of group) {
        if (q.trace) endQueueWait(q.trace, error);
        q.reject(error);
      }
    }
    this.groups.clear();
    if (this.depth > 0) this.setDepth(0);
  }

  private setDepth(depth: number): void {
    this.depth = depth;
    this.events.queueDepth({ model: this.target.model, version: this.target.version, depth });
  }

  /** Rough time to drain the queue, at least one second (Retry-After has second resolution). */
  private retryAfterSeconds(): number {
    const batches = this.depth / Math.max(1, this.settings.maxBatchSize);
    const workers = Math.max(1, this.runner.capacity(this.target.key));
    return Math.max(1, Math.ceil((batches * this.recentComputeMs) / workers / 1000));
  }
}

/** Splits a batch's worker time among its requests by rows (a request of 3 rows in a batch of 12 pays 3/12). */
function chargeCompute(batch: readonly Queued[], computeMs: number): void {
  const total = batch.reduce((n, q) => n + q.rows, 0);
  for (const q of batch) {
    try {
      q.meter?.((computeMs * q.rows) / total);
    } catch {
      // Accounting must never fail inference.
    }
  }
}

/** Requests may share a batch only when every input agrees on all dimensions after the first. */
function signatureOf(specs: readonly TensorSpec[], inputs: readonly HostTensor[]): string {
  return specs.map((spec) => inputs.find((t) => t.name === spec.name)?.shape.slice(1).join('x') ?? '').join('|');
}
