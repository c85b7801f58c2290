/**
 * Subscribes the metrics to the batcher / worker-pool events of src/batching/observer.ts (contracts.md §2).
 */
import type { InferenceObserver } from '../batching/observer.js';
import type { InferenceMetrics } from './instruments.js';
import { metricsObserver } from './observer.js';

export function metricsInferenceObserver(metrics: InferenceMetrics): InferenceObserver {
  const sink = metricsObserver(metrics);
  return {
    onBatch: (e) => sink.batch({ model: e.model, version: String(e.version), batchSize: e.batchSize, queueMs: e.queueMs, computeMs: e.computeMs }),
    onQueueDepth: (e) => sink.queueDepth(e.model, String(e.version), e.depth),
    onWorkerRestart: () => sink.workerRestart(),
    onModelReady: (e) => sink.modelReady(e.model, String(e.version), e.ready),
  };
}
