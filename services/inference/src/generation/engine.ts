import { randomInt } from 'node:crypto';
import { InferenceError, badRequest, unavailable } from '../protocol/errors.js';
import type { SequenceEvent } from '../workers/messages.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { TokenStream } from './token-stream.js';
import type { GenerateRequest, GenerationEngine, GenerationHandle, GenerationStats, GenerationSummary, GenerativeModelInfo } from './types.js';

/** Admission limits of one generative version, resolved from the service settings and the model's config.json. */
export interface GenerationLimits {
  /** Sequences one worker's decode loop runs at once. */
  readonly maxSequences: number;
  /** KV-cache tokens one worker may hold: each sequence reserves prompt + maxTokens while it runs. */
  readonly kvCacheTokens: number;
  /** Requests waiting for KV-cache room beyond which submit answers 429. */
  readonly maxQueue: number;
}

interface Placement {
  reservedTokens: number;
  sequences: number;
}

/** One request from submit to its done event. */
class Request {
  readonly stream: TokenStream;
  readonly done: Promise<GenerationSummary>;
  readonly need: number;
  readonly submittedAt = performance.now();
  settle!: { resolve: (s: GenerationSummary) => void; reject: (e: Error) => void };
  startedAt: number | undefined;
  firstTokenAt: number | undefined;
  worker: number | undefined;
  seqId: number | undefined;
  cancelled = false;
  delivered = 0;

  constructor(readonly body: GenerateRequest, cancel: () => void) {
    this.need = body.promptIds.length + body.params.maxTokens;
    this.stream = new TokenStream(cancel);
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // A caller that only iterates tokens must not see an unhandled rejection; awaiting `done` still throws.
    this.done.catch(() => undefined);
  }
}

/**
 * The GenerationEngine of one generative model version: admission (context, KV-cache budget, bounded FIFO wait
 * queue, 429 with Retry-After past it), placement on the worker with the most free KV budget, and the handles the
 * API layer streams from. The decode loops themselves run in the worker threads (src/generation/decode-loop.ts).
 */
export class WorkerGenerationEngine implements GenerationEngine {
  private readonly placements = new Map<number, Placement>();
  private readonly queue: Request[] = [];
  private readonly running = new Set<Request>();
  private closed = false;
  /** Smoothed seconds a request runs, for Retry-After. */
  private meanRunSeconds = 1;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    readonly info: GenerativeModelInfo,
    private readonly key: string,
    private readonly pool: WorkerPool,
    readonly limits: GenerationLimits,
  ) {}

  submit(body: GenerateRequest): GenerationHandle {
    if (this.closed) throw unavailable(`model '${this.info.name}' version ${this.info.version} is being unloaded; retry the request`);
    this.validate(body);
    const request: Request = new Request(body, () => this.cancel(request));
    if (this.queue.length > 0 || !this.dispatch(request)) {
      if (this.queue.length >= this.limits.maxQueue) {
        const retryAfter = Math.min(60, Math.max(1, Math.ceil((this.meanRunSeconds * (this.queue.length + 1)) / Math.max(1, this.slotCount()))));
        throw new InferenceError(
          429,
          `model '${this.info.name}' has ${this.queue.length} generate requests waiting for KV-cache room (limit ${this.limits.maxQueue}); retry after ${retryAfter} s`,
          { 'retry-after': String(retryAfter) },
        );
      }
      this.queue.push(request);
      this.scheduleRetry();
    }
    return { tokens: request.stream, done: request.done, cancel: () => this.cancel(request) };
  }

  stats(): GenerationStats {
    const workers = this.pool.workersWith(this.key).length;
    let used = 0;
    for (const p of this.placements.values()) used += p.reservedTokens;
    return { activeSequences: this.running.size, queueDepth: this.queue.length, kvCacheUsedTokens: used, kvCacheCapacityTokens: workers * this.limits.kvCacheTokens };
  }

  /** Refuses new requests (503) and fails the queued ones; running sequences finish. */
  close(): void {
    this.closed = true;
    for (const request of this.queue.splice(0)) this.fail(request, unavailable(`model '${this.info.name}' version ${this.info.version} was unloaded before this request started; retry it`));
    this.notifyIdle();
  }

  /** Resolves once nothing runs or waits (the registry unloads a replaced version then). */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private validate(body: GenerateRequest): void {
    const { promptIds, params } = body;
    const { contextLength, vocabSize, name } = this.info;
    if (promptIds.length === 0) throw badRequest('the prompt has no tokens');
    const bad = promptIds.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad >= 0) throw badRequest(`prompt token ${bad} is ${promptIds[bad]}, outside the vocabulary 0..${vocabSize - 1} of model '${name}'`);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) throw badRequest(`maxTokens must be an integer ≥ 1, got ${params.maxTokens}`);
    if (promptIds.length >= contextLength) {
      throw badRequest(`the prompt has ${promptIds.length} tokens; model '${name}' has a context of ${contextLength} tokens, so the prompt must be shorter`);
    }
    if (promptIds.length + params.maxTokens > contextLength) {
      throw badRequest(`prompt (${promptIds.length} tokens) + max tokens (${params.maxTokens}) exceeds the context of ${contextLength} tokens of model '${name}'`);
    }
    if (promptIds.length + params.maxTokens > this.limits.kvCacheTokens) {
      throw badRequest(`prompt + max tokens (${promptIds.length + params.maxTokens}) exceeds the KV-cache budget of ${this.limits.kvCacheTokens} tokens per worker`);
    }
  }

  private slotCount(): number {
    return this.pool.workersWith(this.key).length * this.limits.maxSequences;
  }

  /** Places the request on the worker with the most free KV budget that has room; false when none has. */
  private dispatch(request: Request): boolean {
    let best: { id: number; free: number } | undefined;
    for (const id of this.pool.workersWith(this.key)) {
      const placement = this.placements.get(id) ?? { reservedTokens: 0, sequences: 0 };
      const free = this.limits.kvCacheTokens - placement.reservedTokens;
      if (free >= request.need && placement.sequences < this.limits.maxSequences && (!best || free > best.free)) best = { id, free };
    }
    if (!best) return false;
    const placement = this.placements.get(best.id) ?? { reservedTokens: 0, sequences: 0 };
    this.placements.set(best.id, placement);
    placement.reservedTokens += request.need;
    placement.sequences += 1;
    request.worker = best.id;
    request.startedAt = performance.now();
    this.running.add(request);
    const { promptIds, params, stopTokenIds } = request.body;
    try {
      request.seqId = this.pool.generate(best.id, this.key, { promptIds, params, stopTokenIds, seed: params.seed ?? randomInt(2 ** 32) }, (event) => this.onEvent(request, event));
    } catch (error) {
      this.release(request);
      throw error;
    }
    return true;
  }

  private onEvent(request: Request, event: SequenceEvent): void {
    if (event.tokens.length > 0 && !request.cancelled) {
      request.firstTokenAt ??= performance.now();
      request.delivered += event.tokens.length;
      request.stream.push(event.tokens);
    }
    if (event.error) {
      this.release(request);
      this.fail(request, new InferenceError(503, `generation on model '${this.info.name}' failed: ${event.error}`));
    } else if (event.done) {
      this.release(request);
      const now = performance.now();
      this.meanRunSeconds = 0.8 * this.meanRunSeconds + 0.2 * ((now - (request.startedAt ?? now)) / 1000);
      request.stream.end();
      request.settle.resolve({
        finishReason: request.cancelled ? 'cancelled' : event.done.finishReason,
        promptTokens: request.body.promptIds.length,
        completionTokens: request.delivered,
        queueMs: (request.startedAt ?? now) - request.submittedAt,
        timeToFirstTokenMs: (request.firstTokenAt ?? now) - request.submittedAt,
        computeMs: event.done.computeMs,
      });
    }
    if (event.error || event.done) this.drain();
  }

  private cancel(request: Request): void {
    if (request.cancelled) return;
    request.cancelled = true;
    request.stream.end();
    const queued = this.queue.indexOf(request);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      const now = performance.now();
      request.settle.resolve({ finishReason: 'cancelled', promptTokens: request.body.promptIds.length, completionTokens: 0, queueMs: now - request.submittedAt, timeToFirstTokenMs: 0, computeMs: 0 });
      this.notifyIdle();
    } else if (request.worker !== undefined && request.seqId !== undefined && this.running.has(request)) {
      this.pool.cancelGeneration(request.worker, this.key, request.seqId);
    }
  }

  private release(request: Request): void {
    if (!this.running.delete(request) || request.worker === undefined) return;
    const placement = this.placements.get(request.worker);
    if (placement) {
      placement.reservedTokens -= request.need;
      placement.sequences -= 1;
      if (placement.sequences === 0) this.placements.delete(request.worker);
    }
  }

  private fail(request: Request, error: Error): void {
    request.stream.end(error);
    request.settle.reject(error);
  }

  /** Starts queued requests in FIFO order while the head fits somewhere. */
  private drain(): void {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0] as Request;
      let started: boolean;
      try {
        started = this.dispatch(head);
      } catch (error) {
        this.queue.shift();
        this.fail(head, error as Error);
        continue;
      }
      if (!started) break;
      this.queue.shift();
    }
    this.notifyIdle();
  }

  /** While requests wait, look again now and then: a replaced worker frees no sequence but adds room. */
  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.drain();
      if (this.queue.length > 0) this.scheduleRetry();
    }, 250).unref();
  }

  private notifyIdle(): void {
    if (this.running.size > 0 || this.queue.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
