/**
 * Model/version lookups the production layer needs, answered by the service's ModelRegistry.
 */
import type { ModelRegistry } from '../model-repository/model-registry.js';
import type { VersionResolver } from '../metrics/plugin.js';

export interface ModelLookup {
  /** Version in any state (metric labels); undefined for unknown models/versions (they 404). */
  readonly resolveVersion: VersionResolver;
  /**
   * `<version>@<sha256 of the model file>` only when ready (the cache must not answer for a version that would 503).
   * The fingerprint keeps pods that serve different files under one version number (stable and canary sharing
   * Redis) from reading each other's cached answers.
   */
  readonly readyVersion: VersionResolver;
}

export function modelLookup(registry: ModelRegistry): ModelLookup {
  const find = (model: string, version: string | undefined) => {
    try {
      return registry.resolve(model, version);
    } catch {
      return undefined; // unknown model or version: the route answers 404
    }
  };
  return {
    resolveVersion: (model, version) => {
      const served = find(model, version);
      return served ? String(served.version) : undefined;
    },
    readyVersion: (model, version) => {
      const served = find(model, version);
      return served?.state === 'ready' && served.sha256 !== undefined ? `${served.version}@${served.sha256}` : undefined;
    },
  };
}
