import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayoutHints } from './decoder-layout.js';

/** What a generative version folder's Hugging Face files say, beyond what the ONNX graph tells. */
export interface GenerativeFiles {
  readonly contextLength: number;
  /** Where the context length came from, for the load log line. */
  readonly contextSource: string;
  readonly eosTokenIds: readonly number[];
  readonly hints: LayoutHints;
}

type Json = Record<string, unknown>;
const positive = (v: unknown): number | undefined => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : undefined);
/** Hugging Face writes model_max_length = 1e30 ("no limit") when a tokenizer has none. */
const plausibleContext = (v: unknown): number | undefined => {
  const n = positive(v);
  return n !== undefined && n <= 10_000_000 ? n : undefined;
};

async function readJson(file: string): Promise<Json | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Json;
  } catch (error) {
    throw new Error(`${file}: invalid JSON: ${(error as Error).message}`);
  }
}

const ids = (v: unknown): number[] | undefined => {
  if (positive(v) !== undefined || v === 0) return [v as number];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0)) return v as number[];
  return undefined;
};

/**
 * Reads `config.json` (the Hugging Face model config), `tokenizer_config.json`, `generation_config.json` and the
 * added tokens of `tokenizer.json` from `directory`. Context length: `override` (config.json `generation.contextLength`
 * of the model folder), else `max_position_embeddings` (or GPT-2's `n_positions`), else `model_max_length`; an
 * override larger than `max_position_embeddings` is refused, since positions beyond it were never trained.
 */
export async function readGenerativeFiles(directory: string, override?: number): Promise<GenerativeFiles> {
  const [config, tokenizerConfig, generationConfig, tokenizer] = await Promise.all(
    ['config.json', 'tokenizer_config.json', 'generation_config.json', 'tokenizer.json'].map((f) => readJson(join(directory, f))),
  );
  const trained = positive(config?.max_position_embeddings) ?? positive(config?.n_positions);
  const tokenizerMax = plausibleContext(tokenizerConfig?.model_max_length);
  if (override !== undefined && trained !== undefined && override > trained) {
    throw new Error(`generation.contextLength ${override} exceeds max_position_embeddings ${trained} in ${join(directory, 'config.json')}`);
  }
  const [contextLength, contextSource] =
    override !== undefined ? [override, 'config.json generation.contextLength']
    : trained !== undefined ? [trained, 'config.json max_position_embeddings']
    : tokenizerMax !== undefined ? [tokenizerMax, 'tokenizer_config.json model_max_length']
    : [undefined, ''];
  if (contextLength === undefined) {
    throw new Error(`${directory}: no context length: config.json has no max_position_embeddings, tokenizer_config.json no model_max_length; set "generation": {"contextLength": n} in the model's config.json`);
  }
  const heads = positive(config?.num_attention_heads);
  const hidden = positive(config?.hidden_size);
  const kvHeads = positive(config?.num_key_value_heads) ?? heads;
  const headDim = positive(config?.head_dim) ?? (heads && hidden && hidden % heads === 0 ? hidden / heads : undefined);
  const vocabSize = positive(config?.vocab_size);
  const hints: LayoutHints = {
    ...(kvHeads !== undefined && { kvHeads }),
    ...(headDim !== undefined && { headDim }),
    ...(vocabSize !== undefined && { vocabSize }),
  };
  return { contextLength, contextSource, eosTokenIds: eosIds(config, tokenizerConfig, generationConfig, tokenizer), hints };
}

function eosIds(config?: Json, tokenizerConfig?: Json, generationConfig?: Json, tokenizer?: Json): number[] {
  const direct = ids(generationConfig?.eos_token_id) ?? ids(config?.eos_token_id);
  if (direct) return direct;
  const eos = tokenizerConfig?.eos_token;
  const content = typeof eos === 'string' ? eos : typeof eos === 'object' && eos !== null ? (eos as Json).content : undefined;
  const added = Array.isArray(tokenizer?.added_tokens) ? (tokenizer.added_tokens as Json[]) : [];
  const found = added.find((t) => t.content === content);
  return found && Number.isInteger(found.id) ? [found.id as number] : [];
}
