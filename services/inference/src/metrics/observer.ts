/**
 * Feeds the batcher / worker-pool observer hook (contracts.md §2, provided by src/batching) into the instruments.
 *
 * The shapes below are the contract's: per executed batch {model, version, batchSize, queueMs per request,
 * computeMs}, queue depth per model version, worker restarts, model ready changes.
 */
import type { InferenceMetrics } from './instruments.js';

export interface BatchObservation {
  readonly model: string;
  readonly version: string;
  readonly batchSize: number;
  /** Queue wait of each request in the batch, in milliseconds. */
  readonly queueMs: readonly number[];
  /** session.run duration for the whole batch, in milliseconds. */
  readonly computeMs: number;
}

export interface MetricsObserver {
  batch(observation: BatchObservation): void;
  queueDepth(model: string, version: string, depth: number): void;
  workerRestart(): void;
  modelReady(model: string, version: string, ready: boolean): void;
}

export function metricsObserver(metrics: InferenceMetrics): MetricsObserver {
  return {
    batch(o) {
      const labels = { model: o.model, version: o.version };
      metrics.batchSize.observe(labels, o.batchSize);
      metrics.computeDuration.observe(labels, o.computeMs / 1000);
      for (const q of o.queueMs) metrics.queueDuration.observe(labels, q / 1000);
    },
    queueDepth(model, version, depth) {
      metrics.queueDepth.set({ model, version }, depth);
    },
    workerRestart() {
      metrics.workerRestarts.inc();
    },
    modelReady(model, version, ready) {
      metrics.modelReady.set({ model, version }, ready ? 1 : 0);
    },
  };
}
