/**
 * The generative model versions the API layer can reach: each one's engine (scheduler + decoder, types.ts) and
 * the tokenizer read from the same folder.
 */
import { unavailable } from '../protocol/errors.js';
import type { GenerationEngine } from './types.js';
import type { TextTokenizer } from './tokenizer.js';

export interface GenerativeVersion {
  readonly model: string;
  readonly version: string;
  readonly engine: GenerationEngine;
  readonly tokenizer: TextTokenizer;
}

export interface GenerativeCatalog {
  /**
   * The ready generative version a request names (unversioned = the highest ready one); throws an InferenceError
   * 404 for an unknown model or one that is not generative, 503 while it loads or failed.
   */
  resolve(model: string, version?: string): Promise<GenerativeVersion>;
  /** Every generative model with a ready version, for GET /v1/models. */
  list(): ReadonlyArray<{ readonly model: string; readonly version: string }>;
}

/** What the model registry offers about generative versions (model-repository). */
export interface EngineSource {
  /** The engine serving (model, version), unversioned = highest ready; throws InferenceError 404 / 503. */
  engine(model: string, version?: string): GenerationEngine;
  /** Every ready generative version. */
  engines(): Iterable<{ readonly model: string; readonly version: string; readonly engine: GenerationEngine }>;
}

/**
 * The catalog over the registry's engines. Each engine's tokenizer is read once from its folder (info.directory)
 * and kept for as long as the engine lives, so a reload that swaps the engine reads the new files.
 */
export function generativeCatalog(source: EngineSource, load: (directory: string) => Promise<TextTokenizer>): GenerativeCatalog {
  const tokenizers = new WeakMap<GenerationEngine, Promise<TextTokenizer>>();
  const tokenizerOf = (engine: GenerationEngine): Promise<TextTokenizer> => {
    let loading = tokenizers.get(engine);
    if (!loading) {
      loading = load(engine.info.directory);
      // A failed read is retried by the next request rather than cached forever.
      loading.catch(() => tokenizers.delete(engine));
      tokenizers.set(engine, loading);
    }
    return loading;
  };
  return {
    async resolve(model, version) {
      const engine = source.engine(model, version);
      let tokenizer: TextTokenizer;
      try {
        tokenizer = await tokenizerOf(engine);
      } catch (error) {
        throw unavailable(`model '${model}' version ${engine.info.version} cannot tokenize: ${(error as Error).message}`);
      }
      return { model: engine.info.name, version: engine.info.version, engine, tokenizer };
    },
    list: () => [...source.engines()].map(({ model, version }) => ({ model, version })),
  };
}
