import { slo } from '../../../../policies/slo.js';
import { resolveBatchSettings, type BatchDefaults } from '../batching/batch-settings.js';
import { DynamicBatcher } from '../batching/dynamic-batcher.js';
import type { InferenceEvents } from '../batching/observer.js';
import { notFound, unavailable } from '../protocol/errors.js';
import type { TensorSpec } from '../protocol/types.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { IntegrityError } from './integrity.js';
import { scanRepository, type ModelEntry } from './scan-repository.js';
import { tensorSpecs } from './tensor-specs.js';

/** Structured logger subset (pino / Fastify's logger fit). */
export interface RegistryLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RegistryOptions {
  readonly repository: string;
  readonly pool: WorkerPool;
  readonly events: InferenceEvents;
  readonly log: RegistryLog;
  readonly batchDefaults: BatchDefaults;
  readonly intraOpThreads: number;
  /** Size given to dynamic non-batch axes (e.g. sequence length) in the warm-up run. */
  readonly warmupDynamicDim: number;
}

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
}

export interface ServedModel {
  readonly name: string;
  /** Set when the whole model cannot be served (invalid config.json, no versions). */
  readonly error?: string;
  readonly versions: ReadonlyMap<number, ServedVersion>;
}

/**
 * The models the service serves: scans the repository, loads and warms up every selected version in the worker
 * pool, and answers lookups. A version that fails (integrity mismatch, unreadable file, unsupported tensor
 * type) is kept as `unavailable` with its reason; everything else keeps serving.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();
  private loaded = false;

  constructor(private readonly options: RegistryOptions) {}

  /** Scans the repository and loads every selected version; resolves when all have loaded or failed. */
  async loadAll(): Promise<void> {
    const entries = await scanRepository(this.options.repository);
    if (entries.length === 0) this.options.log.warn({ repository: this.options.repository }, 'model repository has no models');
    for (const entry of entries) {
      const versions = new Map<number, ServedVersion>();
      for (const v of entry.versions) versions.set(v.version, { model: entry.name, version: v.version, file: v.file, state: 'loading' });
      this.models.set(entry.name, { name: entry.name, versions, ...(entry.error !== undefined && { error: entry.error }) });
      for (const warning of entry.warnings) this.options.log.warn({ model: entry.name }, warning);
      if (entry.error) this.options.log.error({ model: entry.name }, `model ${entry.name} cannot be served: ${entry.error}`);
    }
    // Every version is reported not ready before any loads, so inference_model_ready reads 0 (not absent) while
    // loading: an alert on `== 0` sees a version that never finishes loading.
    for (const entry of entries) {
      for (const v of entry.versions) this.options.events.modelReady({ model: entry.name, version: v.version, ready: false, reason: 'loading' });
    }
    // One version at a time: loading is CPU-heavy and the event loop must keep answering liveness probes.
    for (const entry of entries) {
      for (const v of entry.versions) await this.loadVersion(entry, v.version, v.problem);
    }
    this.loaded = true;
  }

  /**
   * True once loading has finished and some version is ready, so that one refused model does not take the
   * others out of service; `strict` requires every model to have versions and all of them to be ready.
   */
  isReady(strict = false): boolean {
    if (!this.loaded) return false;
    const models = [...this.models.values()];
    const versions = models.flatMap((m) => [...m.versions.values()]);
    if (strict) return models.length > 0 && models.every((m) => !m.error && m.versions.size > 0) && versions.every((v) => v.state === 'ready');
    return versions.some((v) => v.state === 'ready');
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** The model, or 404 naming the models there are. */
  model(name: string): ServedModel {
    const model = this.models.get(name);
    if (!model) throw notFound(`unknown model '${name}'; this server serves ${this.modelNames().join(', ') || 'no models'}`);
    return model;
  }

  /** A version by number, or the highest ready version when `version` is undefined; 404 when there is none. */
  resolve(name: string, version?: string): ServedVersion {
    const model = this.model(name);
    const all = [...model.versions.values()].sort((a, b) => b.version - a.version);
    if (version === undefined) {
      const chosen = all.find((v) => v.state === 'ready') ?? all[0];
      if (!chosen) throw unavailable(`model '${name}' cannot be served: ${model.error ?? 'it has no versions'}`);
      return chosen;
    }
    const found = /^[1-9][0-9]*$/.test(version) ? model.versions.get(Number(version)) : undefined;
    if (!found) throw notFound(`model '${name}' has no version '${version}'; versions: ${all.map((v) => v.version).reverse().join(', ') || 'none'}`);
    return found;
  }

  private async loadVersion(entry: ModelEntry, version: number, problem: string | undefined): Promise<void> {
    const served = this.models.get(entry.name)?.versions.get(version);
    const config = entry.config;
    if (!served || !config) return;
    const key = `${entry.name}:${version}`;
    try {
      if (problem) throw new Error(problem);
      const expectedSha256 = config.sha256.get(version);
      const reply = await this.options.pool.load({
        key,
        file: served.file,
        ...(expectedSha256 !== undefined && { expectedSha256 }),
        executionProviders: config.executionProviders,
        gpuRequired: config.gpuRequired,
        intraOpThreads: this.options.intraOpThreads,
        warmupBatch: slo.batch.min,
        warmupDynamicDim: this.options.warmupDynamicDim,
      });
      const { inputs, outputs, batchable } = tensorSpecs(reply.inputs, reply.outputs);
      const settings = resolveBatchSettings(config.batching, this.options.batchDefaults, batchable, {
        rows: batchable ? slo.batch.min : 1,
        ms: reply.warmupMs,
      });
      const target = { model: entry.name, version, key, inputs };
      Object.assign(served, { inputs, outputs, provider: reply.provider, sha256: reply.sha256, state: 'ready' });
      served.batcher = new DynamicBatcher(target, settings, this.options.pool, this.options.events);
      this.options.log.info({ model: entry.name, version, provider: reply.provider, batching: settings, warmupMs: Number(reply.warmupMs.toFixed(2)) }, `model ${key} ready`);
      this.options.events.modelReady({ model: entry.name, version, ready: true });
    } catch (error) {
      this.options.pool.unload(key);
      served.state = 'unavailable';
      served.reason = (error as Error).message;
      const details = error instanceof IntegrityError ? { file: error.file, expected: error.expected, actual: error.actual } : { file: served.file };
      this.options.log.error({ model: entry.name, version, ...details }, `model ${key} refused: ${served.reason}`);
      this.options.events.modelReady({ model: entry.name, version, ready: false, reason: served.reason });
    }
  }
}
