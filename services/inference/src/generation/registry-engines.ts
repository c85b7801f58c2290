/**
 * The model registry's generative versions (registry.generativeModels(), served.engine) as an EngineSource. A
 * model that exists but is not generative is a 404 for the text routes — they do not serve it; its tensors are
 * served by V2 infer — one still loading or failed a 503.
 */
import type { ModelRegistry, ServedVersion } from '../model-repository/model-registry.js';
import { notFound, unavailable } from '../protocol/errors.js';
import type { EngineSource } from './catalog.js';

/** A version that serves text (its V2 infer takes BYTES text_input); known once it has loaded. */
export const isGenerative = (served: ServedVersion): boolean => served.engine !== undefined;

export function registryEngines(registry: ModelRegistry): EngineSource {
  return {
    engine(model, version) {
      const served = registry.resolve(model, version); // 404 for unknown models and versions
      if (served.state === 'ready' && served.engine) return served.engine;
      if (served.state === 'ready') throw notFound(`model '${model}' is not a text-generation model; send its tensors to POST /v2/models/${model}/infer`);
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    },
    engines: () => registry.generativeModels().map(({ model, version, engine }) => ({ model, version: String(version), engine })),
  };
}
