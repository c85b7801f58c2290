/**
 * The observer hook of the batcher and the worker pool (contracts.md, interface 2). Metrics, logs and tests
 * subscribe with `fastify.inferenceEvents.add(observer)`; every callback is optional and synchronous, runs on the
 * event loop, and must be cheap. A throwing observer is isolated: the error is swallowed so serving goes on.
 */

/** One executed batch. */
export interface BatchEvent {
  readonly model: string;
  readonly version: number;
  /** Rows in the batch (sum of the requests' batch dimensions). */
  readonly batchSize: number;
  /** Time each request spent queued, from enqueue to dispatch, in milliseconds, in batch order. */
  readonly queueMs: readonly number[];
  /** Time of the batch on the worker, session.run included, in milliseconds. */
  readonly computeMs: number;
  /** False when the batch failed as a whole (worker died, model error for every request). */
  readonly ok: boolean;
}

export interface QueueDepthEvent {
  readonly model: string;
  readonly version: number;
  /** Requests waiting in the batcher for this model version, after the change. */
  readonly depth: number;
}

export interface WorkerRestartEvent {
  readonly workerId: number;
  /** Exit code or error message of the dead worker. */
  readonly reason: string;
}

export interface ModelReadyEvent {
  readonly model: string;
  readonly version: number;
  readonly ready: boolean;
  /** Why the version is not ready (integrity failure, load error), when it is not. */
  readonly reason?: string;
}

export interface InferenceObserver {
  onBatch?(event: BatchEvent): void;
  onQueueDepth?(event: QueueDepthEvent): void;
  onWorkerRestart?(event: WorkerRestartEvent): void;
  onModelReady?(event: ModelReadyEvent): void;
}

/** Fans events out to every registered observer. */
export class InferenceEvents {
  private readonly observers = new Set<InferenceObserver>();

  /** Registers an observer; returns the function that removes it. */
  add(observer: InferenceObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  batch(event: BatchEvent): void {
    this.emit((o) => o.onBatch?.(event));
  }

  queueDepth(event: QueueDepthEvent): void {
    this.emit((o) => o.onQueueDepth?.(event));
  }

  workerRestart(event: WorkerRestartEvent): void {
    this.emit((o) => o.onWorkerRestart?.(event));
  }

  modelReady(event: ModelReadyEvent): void {
    this.emit((o) => o.onModelReady?.(event));
  }

  private emit(call: (observer: InferenceObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch {
        // An observer bug must not fail inference; observers log their own errors.
      }
    }
  }
}
