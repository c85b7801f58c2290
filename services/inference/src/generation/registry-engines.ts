/**
 * The model registry's generative versions as an EngineSource: a served version is generative when the
 * registry gave it an engine (model-repository/version-loader.ts). A model that exists but is not generative is a
 * 404 for the text routes (its tensors are served by V2 infer), one still loading or failed a 503.
 */
import type { ModelRegistry, ServedVersion } from '../model-repository/model-registry.js';
import { notFound, unavailable } from '../protocol/errors.js';
import type { EngineSource } from './catalog.js';
import type { GenerationEngine } from './types.js';

const engineOf = (served: ServedVersion): GenerationEngine | undefined => (served as { engine?: GenerationEngine }).engine;

/** A version that serves text (its V2 infer takes BYTES text_input); known once it has loaded. */
export const isGenerative = (served: ServedVersion): boolean => engineOf(served) !== undefined;

export function registryEngines(registry: ModelRegistry): EngineSource {
  return {
    engine(model, version) {
      const served = registry.resolve(model, version); // 404 for unknown models and versions
      const engine = engineOf(served);
      if (served.state === 'ready' && engine) return engine;
      if (served.state === 'ready') throw notFound(`model '${model}' is not a text-generation model; use POST /v2/models/${model}/infer`);
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    },
    *engines() {
      for (const name of registry.modelNames()) {
        for (const served of registry.model(name).versions.values()) {
          const engine = engineOf(served);
          if (served.state === 'ready' && engine) yield { model: served.model, version: String(served.version), engine };
        }
      }
    },
  };
}
