import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { slo } from '../../../../policies/slo.js';
import { resolveBatchSettings, type BatchDefaults, type BatchSettings } from '../batching/batch-settings.js';
import { DynamicBatcher } from '../batching/dynamic-batcher.js';
import type { InferenceEvents } from '../batching/observer.js';
import { loadDriftProfile } from '../drift/load.js';
import type { DriftProfile } from '../drift/profile.js';
import type { TensorSpec } from '../protocol/types.js';
import { kvBytesPerToken, type DecoderLayout } from '../generation/decoder-layout.js';
import { WorkerGenerationEngine, type GenerationLimits } from '../generation/engine.js';
import { readGenerativeFiles, type GenerativeFiles } from '../generation/model-files.js';
import type { GenerationSpec } from '../workers/messages.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { loadConfig, type ServiceConfig } from '../config.js';
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
  /** Generative versions (a decoder with past beside tokenizer.json) are served by this engine, not a batcher. */
  engine?: WorkerGenerationEngine;
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
  readonly generationDefaults?: GenerationDefaults;
}

/** Service-wide generation settings (src/config.ts GENERATE_*); config.json `generation` overrides them per model. */
export interface GenerationDefaults {
  readonly maxSequences: number;
  /** 0 = sized from the model (kvCacheTokensFor). */
  readonly kvCacheTokens: number;
  readonly prefillChunkTokens: number;
  readonly maxQueue: number;
}

/** The GENERATE_* settings of a service configuration, as the registry takes them. */
export function generationDefaultsOf(config: Pick<ServiceConfig, 'generateMaxSequences' | 'generateKvCacheTokens' | 'generatePrefillChunkTokens' | 'generateMaxQueue'>): GenerationDefaults {
  return {
    maxSequences: config.generateMaxSequences,
    kvCacheTokens: config.generateKvCacheTokens,
    prefillChunkTokens: config.generatePrefillChunkTokens,
    maxQueue: config.generateMaxQueue,
  };
}

/** The GENERATE_* defaults of src/config.ts, for callers that build a registry without a ServiceConfig (tests, benches). */
export const defaultGenerationDefaults: GenerationDefaults = generationDefaultsOf(loadConfig({}));

/** Automatic KV budget per worker: every sequence at full context, but at most 1 GiB (and never less than one context). */
export function kvCacheTokensFor(layout: DecoderLayout, maxSequences: number, contextLength: number): number {
  const byMemory = Math.floor(2 ** 30 / kvBytesPerToken(layout));
  return Math.max(contextLength, Math.min(maxSequences * contextLength, byMemory));
}

/** A loaded version, ready to swap in, and what the log line should say about it. */
export interface LoadedVersion {
  readonly served: ServedVersion;
  /** Batch settings of a tensor model, generation limits of a generative one. */
  readonly settings: BatchSettings | (GenerationLimits & { readonly contextLength: number; readonly prefillChunkTokens: number });
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
  const directory = dirname(file);
  const defaults = options.generationDefaults ?? defaultGenerationDefaults;
  const maxSequences = config.generation.maxSequences ?? defaults.maxSequences;
  const prefillChunkTokens = config.generation.prefillChunkTokens ?? defaults.prefillChunkTokens;
  // tokenizer.json beside model.onnx makes the version a generative candidate; the graph decides (an encoder
  // classifier may ship its tokenizer too). A file problem only matters if the graph turns out to be a decoder.
  let files: GenerativeFiles | undefined;
  let filesProblem: string | undefined;
  if (await stat(join(directory, 'tokenizer.json')).then((s) => s.isFile(), () => false)) {
    try {
      files = await readGenerativeFiles(directory, config.generation.contextLength);
    } catch (error) {
      filesProblem = (error as Error).message;
    }
  }
  const generation: GenerationSpec | undefined = files && { hints: files.hints, contextLength: files.contextLength, maxSequences, prefillChunkTokens };
  const reply = await options.pool.load({
    key,
    file,
    ...(expectedSha256 !== undefined && { expectedSha256 }),
    executionProviders: config.executionProviders,
    gpuRequired: config.gpuRequired,
    intraOpThreads: options.intraOpThreads,
    warmupBatch: slo.batch.min,
    warmupDynamicDim: options.warmupDynamicDim,
    ...(generation !== undefined && { generation }),
    ...(filesProblem !== undefined && { generationProblem: filesProblem }),
  });
  const { inputs, outputs, batchable } = tensorSpecs(reply.inputs, reply.outputs);
  if (reply.generative && files && generation) {
    const { layout } = reply.generative;
    const limits: GenerationLimits = {
      maxSequences,
      kvCacheTokens: config.generation.kvCacheTokens ?? (defaults.kvCacheTokens || kvCacheTokensFor(layout, maxSequences, files.contextLength)),
      maxQueue: config.generation.maxQueue ?? defaults.maxQueue,
    };
    const info = { name: model, version: String(version), contextLength: files.contextLength, vocabSize: layout.vocabSize, directory, eosTokenIds: files.eosTokenIds };
    const engine = new WorkerGenerationEngine(info, key, options.pool, limits);
    const served: ServedVersion = { model, version, file, state: 'ready', inputs, outputs, provider: reply.provider, sha256: reply.sha256, engine };
    return { served, settings: { ...limits, contextLength: files.contextLength, prefillChunkTokens }, warmupMs: reply.warmupMs };
  }
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
