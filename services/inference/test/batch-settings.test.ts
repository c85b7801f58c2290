import { describe, expect, it } from 'vitest';
import { slo } from '../../../policies/slo.js';
import { resolveBatchSettings } from '../src/batching/batch-settings.js';

const defaults = { maxQueueDelayMicroseconds: 500, maxQueueSize: 1024 };

describe('batch settings', () => {
  it('sizes maxBatchSize to the model: the largest power of two within the SLO range whose run fits a quarter of p95', () => {
    const budgetMs = slo.latencyP95Ms / 4;
    const size = (msPerRow: number) => resolveBatchSettings({}, defaults, true, { rows: 16, ms: msPerRow * 16 }).maxBatchSize;
    expect(size(0.01)).toBe(slo.batch.max);
    expect(size(budgetMs / 64)).toBe(64);
    expect(size(budgetMs / 40)).toBe(32);
    expect(size(100)).toBe(slo.batch.min);
  });

  it('keeps explicit settings, drops preferred sizes above the maximum, and turns batching off for fixed shapes', () => {
    const explicit = resolveBatchSettings({ maxBatchSize: 16, preferredBatchSizes: [32, 8, 4], maxQueueSize: 7 }, defaults, true, { rows: 16, ms: 1 });
    expect(explicit).toEqual({ maxBatchSize: 16, preferredBatchSizes: [4, 8], maxQueueDelayMicroseconds: 500, maxQueueSize: 7 });
    expect(resolveBatchSettings({}, defaults, false, { rows: 1, ms: 1 }).maxBatchSize).toBe(0);
    expect(() => resolveBatchSettings({ maxBatchSize: 32 }, defaults, false, { rows: 1, ms: 1 })).toThrow(/fixed first dimension/);
  });
});
