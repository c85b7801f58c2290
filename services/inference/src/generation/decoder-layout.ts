import type { WireValueMetadata } from '../workers/messages.js';

/** Element types the KV cache may have (Optimum exports float32, or float16 for `--dtype fp16`). */
export type KvType = 'float32' | 'float16';

/**
 * How to drive one decoder graph, read from its inputs and outputs (the layout Hugging Face Optimum exports for
 * `text-generation-with-past`): nothing here is specific to the demo model.
 */
export interface DecoderLayout {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly kvType: KvType;
  readonly logitsType: KvType;
  readonly vocabSize: number;
  /** The graph takes `position_ids` (newer exports); older ones derive positions from `attention_mask`. */
  readonly positionIds: boolean;
  /** Merged decoders (`decoder_model_merged.onnx`) take a bool `use_cache_branch`: true once there is a past. */
  readonly useCacheBranch: boolean;
}

/** Values from the Hugging Face config.json, used when the graph leaves a dimension symbolic. */
export interface LayoutHints {
  readonly kvHeads?: number;
  readonly headDim?: number;
  readonly vocabSize?: number;
}

const pastName = /^past_key_values\.(\d+)\.(key|value)$/;

/** True when the graph looks generative: `past_key_values.*` inputs and a `logits` output. */
export function isDecoderGraph(inputs: readonly WireValueMetadata[], outputs: readonly WireValueMetadata[]): boolean {
  return inputs.some((i) => pastName.test(i.name)) && outputs.some((o) => o.name === 'logits');
}

/** Reads the layout or throws an Error naming what is missing or unsupported. */
export function decoderLayout(inputs: readonly WireValueMetadata[], outputs: readonly WireValueMetadata[], hints: LayoutHints = {}): DecoderLayout {
  const input = new Map(inputs.map((m) => [m.name, m]));
  const output = new Map(outputs.map((m) => [m.name, m]));
  for (const required of ['input_ids', 'attention_mask']) {
    if (!input.has(required)) throw new Error(`decoder graph has no '${required}' input (inputs: ${[...input.keys()].join(', ')})`);
  }
  const known = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch']);
  const unsupported = inputs.filter((m) => !known.has(m.name) && !pastName.test(m.name)).map((m) => m.name);
  if (unsupported.length > 0) throw new Error(`decoder graph input(s) ${unsupported.join(', ')} are not supported (supported: ${[...known].join(', ')}, past_key_values.N.key/value)`);
  const layers = new Set(inputs.map((m) => pastName.exec(m.name)?.[1]).filter((n): n is string => n !== undefined).map(Number));
  const count = layers.size;
  if (count === 0) throw new Error('decoder graph has no past_key_values.N.key / .value inputs');
  const first = input.get('past_key_values.0.key');
  for (let layer = 0; layer < count; layer++) {
    for (const kind of ['key', 'value']) {
      const past = input.get(`past_key_values.${layer}.${kind}`);
      if (!past) throw new Error(`decoder graph has no input past_key_values.${layer}.${kind} (layers must be numbered 0..${count - 1})`);
      if (!output.has(`present.${layer}.${kind}`)) throw new Error(`decoder graph has no output present.${layer}.${kind} for its past_key_values.${layer}.${kind}`);
      if (past.type !== first?.type) throw new Error(`past_key_values.${layer}.${kind} has type ${past.type}, unlike past_key_values.0.key (${first?.type})`);
    }
  }
  if (!first || first.shape.length !== 4) throw new Error('past_key_values.0.key must be 4-D [batch, kv heads, past length, head dim]');
  const kvType = first.type;
  if (kvType !== 'float32' && kvType !== 'float16') throw new Error(`KV cache type ${kvType} is not supported (float32 or float16)`);
  const logits = output.get('logits');
  if (!logits || logits.shape.length !== 3) throw new Error('decoder graph needs a 3-D logits output [batch, sequence, vocab]');
  if (logits.type !== 'float32' && logits.type !== 'float16') throw new Error(`logits type ${logits.type} is not supported (float32 or float16)`);
  const fixed = (dim: number | string | undefined, hint: number | undefined, what: string): number => {
    if (typeof dim === 'number' && dim > 0) return dim;
    if (hint !== undefined && hint > 0) return hint;
    throw new Error(`${what} is symbolic in the graph and config.json does not give it`);
  };
  const useCache = input.get('use_cache_branch');
  if (useCache && useCache.type !== 'bool') throw new Error(`use_cache_branch has type ${useCache.type}; expected bool`);
  return {
    layers: count,
    kvHeads: fixed(first.shape[1], hints.kvHeads, 'the kv-head axis of past_key_values.0.key'),
    headDim: fixed(first.shape[3], hints.headDim, 'the head-dim axis of past_key_values.0.key'),
    kvType,
    logitsType: logits.type,
    vocabSize: fixed(logits.shape[2], hints.vocabSize, 'the vocabulary axis of logits'),
    positionIds: input.has('position_ids'),
    useCacheBranch: useCache !== undefined,
  };
}

/** Bytes of KV cache one token takes: key and value, every layer. */
export function kvBytesPerToken(layout: DecoderLayout): number {
  return 2 * layout.layers * layout.kvHeads * layout.headDim * (layout.kvType === 'float16' ? 2 : 4);
}
