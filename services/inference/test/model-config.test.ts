import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../src/model-repository/model-config.js';
import { selectVersions } from '../src/model-repository/version-policy.js';

describe('config.json', () => {
  it('parses every field', () => {
    const config = parseModelConfig(
      {
        versionPolicy: { specific: [1, 3] },
        versions: { 1: { sha256: 'A'.repeat(64) } },
        batching: { maxBatchSize: 64, preferredBatchSizes: [32], maxQueueDelayMicroseconds: 100, maxQueueSize: 10 },
        executionProviders: [{ name: 'cuda', deviceId: 1 }, 'cpu'],
        gpuRequired: true,
      },
      'm/config.json',
    );
    expect(config.versionPolicy).toEqual({ specific: [1, 3] });
    expect(config.sha256.get(1)).toBe('a'.repeat(64));
    expect(config.batching.maxBatchSize).toBe(64);
    expect(config.executionProviders).toEqual([{ name: 'cuda', deviceId: 1 }, { name: 'cpu' }]);
    expect(config.gpuRequired).toBe(true);
  });

  it.each([
    [{ batchSize: 4 }, 'm/config.json: unknown field "batchSize"'],
    [{ versionPolicy: { latest: 0 } }, '"versionPolicy" must be "all", {"latest": n} or {"specific": [versions]}'],
    [{ versions: { v1: {} } }, '"versions" key "v1" is not a positive integer'],
    [{ versions: { 1: { sha256: 'abc' } } }, '"versions.1.sha256" must be 64 hex digits'],
    [{ batching: { maxBatchSize: 8 } }, '"batching.maxBatchSize" must be 0 (off) or an integer in 16..128'],
    [{ batching: { maxBatchSize: 200 } }, 'in 16..128 (policies/slo.ts), got 200'],
    [{ batching: { maxBatchSize: 16, preferredBatchSizes: [32] } }, 'contains 32, above maxBatchSize 16'],
    [{ batching: { maxQueueSize: 0 } }, '"batching.maxQueueSize" must be a positive integer'],
    [{ executionProviders: ['rocm'] }, '"executionProviders[0]" must be "cuda", "tensorrt", "cpu"'],
    [{ executionProviders: [{ name: 'cuda', deviceId: -1 }] }, '"executionProviders[0].deviceId" must be a non-negative integer'],
    [{ gpuRequired: 'yes' }, '"gpuRequired" must be true or false'],
  ])('rejects %j', (json, message) => {
    expect(() => parseModelConfig(json, 'm/config.json')).toThrow(message);
  });

  it('selects versions by policy', () => {
    expect(selectVersions({ latest: 2 }, [3, 1, 2])).toEqual({ selected: [2, 3], missing: [] });
    expect(selectVersions({ all: true }, [2, 1])).toEqual({ selected: [1, 2], missing: [] });
    expect(selectVersions({ specific: [1, 4] }, [1, 2])).toEqual({ selected: [1], missing: [4] });
  });
});
