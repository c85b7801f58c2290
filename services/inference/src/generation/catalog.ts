/**
 * The generative model versions the API layer can reach: each one's engine (scheduler + decoder, types.ts) and
 * the tokenizer read from the same folder.
 */
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
