import { slo } from '../../../../policies/slo.js';
import type { BatchingOverrides } from '../model-repository/model-config.js';

/** Effective dynamic-batching settings of one model version. */
export interface BatchSettings {
  /** Largest batch in rows; 0 means the model is not batched (every request runs alone). */
  readonly maxBatchSize: number;
  readonly preferredBatchSizes: readonly number[];
  readonly maxQueueDelayMicroseconds: number;
  readonly maxQueueSize: number;
}

/** Service-wide defaults a model's config.json may override. */
export interface BatchDefaults {
  readonly maxQueueDelayMicroseconds: number;
  readonly maxQueueSize: number;
}

/**
 * Settings for a model version. Without an explicit maxBatchSize a batchable model gets the largest power of two
 * in the SLO's batch range whose estimated run time (from the timed warm-up) stays within a quarter of the p95
 * latency objective, leaving the rest of the budget for queueing and HTTP.
 */
export function resolveBatchSettings(
  overrides: BatchingOverrides,
  defaults: BatchDefaults,
  batchable: boolean,
  warmup: { readonly rows: number; readonly ms: number },
): BatchSettings {
  if (overrides.maxBatchSize !== undefined && overrides.maxBatchSize > 0 && !batchable) {
    throw new Error('config.json sets batching.maxBatchSize but the model has a fixed first dimension; set it to 0');
  }
  const maxBatchSize = overrides.maxBatchSize ?? (batchable ? sizeToModel(warmup.ms / Math.max(1, warmup.rows)) : 0);
  return {
    maxBatchSize,
    preferredBatchSizes: [...(overrides.preferredBatchSizes ?? [])].filter((s) => s <= maxBatchSize).sort((a, b) => a - b),
    maxQueueDelayMicroseconds: overrides.maxQueueDelayMicroseconds ?? defaults.maxQueueDelayMicroseconds,
    maxQueueSize: overrides.maxQueueSize ?? defaults.maxQueueSize,
  };
}

function sizeToModel(msPerRow: number): number {
  const budgetMs = slo.latencyP95Ms / 4;
  let size = slo.batch.max;
  while (size / 2 >= slo.batch.min && size * msPerRow > budgetMs) size /= 2;
  return Math.max(slo.batch.min, Math.floor(size));
}
