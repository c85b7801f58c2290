import { slo } from '../../../../policies/slo.js';
import { resolveBatchSettings, type BatchDefaults, type BatchSettings } from '../batching/batch-settings.js';
import { DynamicBatcher } from '../batching/dynamic-batcher.js';
import type { InferenceEvents } from '../batching/observer.js';
import { loadDriftProfile } from '../drift/load.js';
import type { DriftProfile } from '../drift/profile.js';
import type { TensorSpec } from '../protocol/types.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import type { ModelConfig } from './model-config.js';
import { tensorSpecs } from './tensor-specs.js';

/** One model version as served: its state, and once ready its tensors and batcher. */
export interface ServedVersion {
  readonly model: string;
  readonly version: number;
  readonly file: string;
  state: 'loading' | 'ready' | 'unavailable';
  /** Why the version is unavailable. */
  reason?: string;
  inputs?: readonly TensorSpec[];
  outputs?: readonly TensorSpec[];
  batcher?: DynamicBatcher;
  /** Execution providers in use, e.g. "cpu" or "cuda:0,cpu". */
  provider?: string;
  /**
   * SHA-256 (hex) of the model file as loaded, whether or not config.json pins one. The result cache keys on it,
   * since one version number may name different files on different pods (a retrained model on the canary).
   */
  sha256?: string;
  /** The version's drift reference profile (`drift-profile.json` beside model.onnx), validated at load; src/drift. */
  driftProfile?: DriftProfile;
}

/** What loading a version needs from the registry. */
export interface VersionLoaderOptions {
  readonly pool: WorkerPool;
  readonly events: InferenceEvents;
  readonly batchDefaults: BatchDefaults;
  readonly intraOpThreads: number;
  readonly warmupDynamicDim: number;
}

/** A loaded version, ready to swap in, and what the log line should say about it. */
export interface LoadedVersion {
  readonly served: ServedVersion;
  readonly settings: BatchSettings;
  readonly warmupMs: number;
}

/**
 * Loads one version into every worker under the runner key `key` (integrity check and warm-up included) and builds
 * its batcher. Throws on any failure; the caller decides what keeps serving.
 */
export async function loadVersion(
  options: VersionLoaderOptions,
  target: { readonly model: string; readonly version: number; readonly file: string; readonly key: string; readonly config: ModelConfig },
): Promise<LoadedVersion> {
  const { model, version, file, key, config } = target;
  const expectedSha256 = config.sha256.get(version);
  const reply = await options.pool.load({
    key,
    file,
    ...(expectedSha256 !== undefined && { expectedSha256 }),
    executionProviders: config.executionProviders,
    gpuRequired: config.gpuRequired,
    intraOpThreads: options.intraOpThreads,
    warmupBatch: slo.batch.min,
    warmupDynamicDim: options.warmupDynamicDim,
  });
  const { inputs, outputs, batchable } = tensorSpecs(reply.inputs, reply.outputs);
  const driftProfile = await loadDriftProfile({ model, version, file, inputs, outputs });
  const settings = resolveBatchSettings(config.batching, options.batchDefaults, batchable, {
    rows: batchable ? slo.batch.min : 1,
    ms: reply.warmupMs,
  });
  const batcher = new DynamicBatcher({ model, version, key, inputs }, settings, options.pool, options.events);
  const served: ServedVersion = {
    model, version, file, state: 'ready', inputs, outputs, provider: reply.provider, sha256: reply.sha256, batcher,
    ...(driftProfile !== undefined && { driftProfile }),
  };
  return { served, settings, warmupMs: reply.warmupMs };
}
