import type { BatchDefaults } from '../batching/batch-settings.js';
import type { GenerationEngine } from '../generation/types.js';
import type { InferenceEvents } from '../batching/observer.js';
import { InferenceError, badRequest, notFound, unavailable } from '../protocol/errors.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { IntegrityError } from './integrity.js';
import { scanRepository, type ModelEntry } from './scan-repository.js';
import { loadVersion, type GenerationDefaults, type ServedVersion } from './version-loader.js';

export type { ServedVersion } from './version-loader.js';

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
  /** Service defaults for generative models (GENERATE_* settings); built-in defaults when left out. */
  readonly generationDefaults?: GenerationDefaults;
}

export interface ServedModel {
  readonly name: string;
  /** Set when the whole model cannot be served (invalid config.json, no versions). */
  readonly error?: string;
  readonly versions: ReadonlyMap<number, ServedVersion>;
}

/** Outcome of reloading one model (POST /v2/repository/models/{model}/load). */
export interface ReloadReport {
  readonly model: string;
  /** Every version now known, after the swap. */
  readonly versions: ReadonlyArray<{ readonly version: number; readonly state: ServedVersion['state']; readonly sha256?: string; readonly reason?: string }>;
  /** Versions the policy no longer selects (removed from disk, pushed out by `latest`), unloaded once idle. */
  readonly retired: readonly number[];
  /** Versions that failed to load; one that served before keeps serving its previous load. */
  readonly failed: ReadonlyArray<{ readonly version: number; readonly reason: string; readonly previousKeepsServing: boolean }>;
}

interface ModelSlot {
  readonly name: string;
  readonly error?: string;
  readonly versions: Map<number, ServedVersion>;
}

/**
 * How long a replaced version stays loaded after its batcher went idle: requests that resolved it just before the
 * swap may still be in interceptors (fault delay, cache lookup) on their way to its batcher.
 */
const retireGraceMs = 1000;

/**
 * The models the service serves: scans the repository, loads and warms up every selected version in the worker
 * pool, and answers lookups. A version that fails (integrity mismatch, unreadable file, unsupported tensor
 * type) is kept as `unavailable` with its reason; everything else keeps serving. `reload(model)` re-reads one
 * model from the repository and swaps in what loads, the old load serving until the new one is warmed up.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelSlot>();
  /** Runner key (worker sessions) of each served version: a reload loads under a new key beside the old one. */
  private readonly runnerKeys = new WeakMap<ServedVersion, string>();
  private loaded = false;
  private reloading = false;
  private generation = 0;

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
      const versions = this.models.get(entry.name)?.versions;
      for (const v of entry.versions) {
        const placeholder = versions?.get(v.version);
        if (!versions || !placeholder) continue;
        const key = `${entry.name}:${v.version}`;
        try {
          if (v.problem) throw new Error(v.problem);
          versions.set(v.version, await this.load(entry, v.version, v.file, key));
        } catch (error) {
          Object.assign(placeholder, { state: 'unavailable', reason: this.refused(entry.name, v.version, v.file, key, error, '') });
          this.options.events.modelReady({ model: entry.name, version: v.version, ready: false, reason: placeholder.reason });
        }
      }
    }
    this.loaded = true;
  }

  /**
   * Re-reads `name` from the repository (config.json, versions on disk, their bytes) and loads every selected
   * version afresh under a new runner key; each swaps in once loaded and warmed up, and the load it replaces is
   * unloaded when idle. A version that fails keeps its previous load serving. Versions the policy no longer
   * selects are retired, unless something failed. One reload at a time: a concurrent one is refused with 409.
   */
  async reload(name: string): Promise<ReloadReport> {
    if (!this.loaded) throw new InferenceError(409, 'models are still loading; reload once /v2/health/ready answers');
    if (this.reloading) throw new InferenceError(409, 'a model reload is already running; retry when it has finished');
    this.reloading = true;
    try {
      return await this.reloadModel(name);
    } finally {
      this.reloading = false;
    }
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

  /**
   * The text-generation engine of a generative model: the given version, or the highest ready one. 404 for an
   * unknown model or version, 400 when the model is not generative (a tensor model: use /infer), 503 while the
   * version is loading or unavailable.
   */
  generationEngine(name: string, version?: string): GenerationEngine {
    const served = this.resolve(name, version);
    if (served.state !== 'ready') {
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    }
    if (!served.engine) throw badRequest(`model '${name}' is not a generative model (it takes tensors: use /v2/models/${name}/infer)`);
    return served.engine;
  }

  /** Ready generative versions, model by model, highest version first (for /v1/models). */
  generativeModels(): Array<{ readonly model: string; readonly version: number; readonly engine: GenerationEngine }> {
    return [...this.models.values()].flatMap((m) =>
      [...m.versions.values()]
        .filter((v) => v.state === 'ready' && v.engine)
        .sort((a, b) => b.version - a.version)
        .map((v) => ({ model: m.name, version: v.version, engine: v.engine as GenerationEngine })),
    );
  }

  private async reloadModel(name: string): Promise<ReloadReport> {
    const entries = await scanRepository(this.options.repository).catch((error: Error) => {
      throw new InferenceError(422, `${error.message}; nothing was reloaded`);
    });
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw notFound(`model '${name}' is not in the model repository ${this.options.repository}`);
    const current = this.models.get(name);
    for (const warning of entry.warnings) this.options.log.warn({ model: name }, warning);
    if (entry.error !== undefined || !entry.config) {
      const kept = current ? 'the versions loaded before keep serving' : 'nothing was loaded';
      throw new InferenceError(422, `model '${name}' cannot be loaded: ${entry.error ?? 'no config'}; ${kept}`);
    }
    const versions = new Map(current?.versions ?? []);
    const replaced: ServedVersion[] = [];
    const failed: Array<ReloadReport['failed'][number]> = [];
    for (const v of entry.versions) {
      const previous = versions.get(v.version);
      const key = `${name}:${v.version}#${++this.generation}`;
      try {
        if (v.problem) throw new Error(v.problem);
        versions.set(v.version, await this.load(entry, v.version, v.file, key));
        if (previous) replaced.push(previous);
      } catch (error) {
        const previousKeepsServing = previous?.state === 'ready';
        const reason = this.refused(name, v.version, v.file, key, error, previousKeepsServing ? '; the previous load keeps serving' : '');
        failed.push({ version: v.version, reason, previousKeepsServing });
        if (previousKeepsServing) continue;
        versions.set(v.version, { model: name, version: v.version, file: v.file, state: 'unavailable', reason });
        this.options.events.modelReady({ model: name, version: v.version, ready: false, reason });
      }
    }
    const selected = new Set(entry.versions.map((v) => v.version));
    // A failed reload must not also take away versions that still serve (say `latest: 1` and a corrupt new file).
    const retired = failed.length > 0 ? [] : [...versions.keys()].filter((v) => !selected.has(v)).sort((a, b) => a - b);
    for (const version of retired) {
      replaced.push(versions.get(version) as ServedVersion);
      versions.delete(version);
      this.options.events.modelReady({ model: name, version, ready: false, reason: 'retired by reload' });
    }
    this.models.set(name, { name, versions });
    for (const old of replaced) void this.retire(old);
    this.options.log.info({ model: name, retired, failed: failed.map((f) => f.version) }, `model ${name} reloaded`);
    const report = [...versions.values()].sort((a, b) => a.version - b.version);
    return {
      model: name,
      versions: report.map((v) => ({ version: v.version, state: v.state, ...(v.sha256 !== undefined && { sha256: v.sha256 }), ...(v.reason !== undefined && { reason: v.reason }) })),
      retired,
      failed,
    };
  }

  /** Loads one version under `key`; logs and reports it ready. Throws (after unloading `key`) on failure. */
  private async load(entry: ModelEntry, version: number, file: string, key: string): Promise<ServedVersion> {
    const config = entry.config;
    if (!config) throw new Error(`model ${entry.name} has no usable config.json`);
    const { served, settings, warmupMs } = await loadVersion(this.options, { model: entry.name, version, file, key, config });
    this.runnerKeys.set(served, key);
    this.options.log.info(
      { model: entry.name, version, provider: served.provider, sha256: served.sha256, [served.engine ? 'generation' : 'batching']: settings, warmupMs: Number(warmupMs.toFixed(2)) },
      `model ${entry.name}:${version} ready${served.engine ? ' (generative)' : ''}`,
    );
    this.options.events.modelReady({ model: entry.name, version, ready: true });
    return served;
  }

  /** Unloads a failed load, logs why (file, expected and actual hash on an integrity mismatch), returns the reason. */
  private refused(model: string, version: number, file: string, key: string, error: unknown, suffix: string): string {
    this.options.pool.unload(key);
    const reason = (error as Error).message;
    const details = error instanceof IntegrityError ? { file: error.file, expected: error.expected, actual: error.actual } : { file };
    this.options.log.error({ model, version, ...details }, `model ${model}:${version} refused: ${reason}${suffix}`);
    return reason;
  }

  /** Unloads a replaced version from the workers once nothing is queued for it any more. */
  private async retire(old: ServedVersion): Promise<void> {
    const key = this.runnerKeys.get(old);
    if (key === undefined) return;
    if (old.engine) {
      // Requests that resolved the old version just before the swap may still be on their way to submit.
      await new Promise((resolve) => setTimeout(resolve, retireGraceMs).unref());
      await old.engine.idle();
      old.engine.close();
    }
    const batcher = old.batcher;
    if (batcher) {
      do {
        await batcher.idle();
        await new Promise((resolve) => setTimeout(resolve, retireGraceMs).unref());
      } while (batcher.queueDepth > 0);
      await batcher.idle();
    }
    this.options.pool.unload(key);
  }
}
