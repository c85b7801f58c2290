import { GraphBuilder } from '../onnx/graph-builder.js';
import { mulberry32, uniformWeights } from '../onnx/prng.js';
import { demoVocabulary } from './tokenizer-files.js';

/** Shape of a Llama-style decoder; the demo's and the test fixtures' (other layer / head counts) come from here. */
export interface DecoderShape {
  /** Logit width: 256 byte tokens plus the special tokens (tokenizer-files.ts). */
  readonly vocabSize: number;
  /** Rows of the rotary tables: the longest context the model serves. */
  readonly maxPositions: number;
  /** Residual width = attention heads × head dim. */
  readonly hidden: number;
  readonly heads: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`); must divide `heads`. */
  readonly kvHeads: number;
  readonly headDim: number;
  /** SwiGLU feed-forward width. */
  readonly feedForward: number;
  readonly layers: number;
  /** Whether the graph takes `position_ids`; without, positions are derived from `attention_mask` inside it. */
  readonly positionIds: boolean;
  /** Element type of past / present key-value tensors. */
  readonly kvDtype: 'float32' | 'float16';
  /**
   * Token the eos bias favours. A random decoder falls into loops and would never stop on its own, so positions
   * in the last `eosWindow` of every `eosPeriod` add `eosBias` to the eos logit: many prompts then stop within
   * one period, deterministically, whatever their length, and others run on to max tokens.
   */
  readonly eosTokenId: number;
  readonly eosBias: number;
  readonly eosPeriod: number;
  readonly eosWindow: number;
  /** Byte tokens outside this range (and the special tokens other than eos) get a large negative bias. */
  readonly printable: readonly [number, number];
  readonly seed: number;
  /**
   * Declare the bool `use_cache_branch` input of Optimum's merged decoders. Here it selects nothing; a value that
   * disagrees with the past (true without one, false with one) forces token 65 ('A'), so a test sees a wrong feed.
   */
  readonly useCacheBranch?: boolean;
}

export const demoDecoderShape: DecoderShape = {
  vocabSize: demoVocabulary.size,
  maxPositions: 1024,
  hidden: 128,
  heads: 4,
  kvHeads: 2,
  headDim: 32,
  feedForward: 256,
  layers: 2,
  positionIds: true,
  kvDtype: 'float32',
  eosTokenId: demoVocabulary.eos,
  eosBias: 10,
  eosPeriod: 48,
  eosWindow: 4,
  printable: [32, 126],
  seed: 90_26,
};

/** Additive score for masked attention entries: softmax turns it into exactly 0, and a fully masked row stays finite. */
const maskedScore = -1e9;

/**
 * A Llama-shaped decoder in the layout Hugging Face Optimum exports for `text-generation-with-past`:
 * inputs `input_ids` [batch, seq], `attention_mask` [batch, past + seq], `position_ids` [batch, seq] (optional),
 * `past_key_values.N.key|value` [batch, kv heads, past, head dim]; outputs `logits` [batch, seq, vocab] and
 * `present.N.key|value` [batch, kv heads, past + seq, head dim]. Each layer: RMSNorm, grouped-query attention with
 * rotary embeddings at the given positions and a causal + padding mask, residual, RMSNorm, SwiGLU, residual.
 * Weights are seeded pseudo-random numbers, so the model is deterministic and meaningless.
 */
export function buildDecoder(shape: DecoderShape = demoDecoderShape): Uint8Array {
  const { hidden: d, heads, kvHeads, headDim: hd, feedForward: ff, vocabSize: vocab } = shape;
  if (heads * hd !== d) throw new Error(`hidden ${d} must equal heads ${heads} × headDim ${hd}`);
  if (heads % kvHeads !== 0) throw new Error(`kvHeads ${kvHeads} must divide heads ${heads}`);
  if (hd % 2 !== 0) throw new Error(`headDim ${hd} must be even for rotary embeddings`);
  const random = mulberry32(shape.seed);
  const g = new GraphBuilder('demo_decoder');
  const weight = (name: string, dims: number[], scale: number): string =>
    g.floats(name, dims, uniformWeights(random, dims.reduce((a, b) => a * b, 1), scale));
  const scalar = (name: string, value: number): string => g.floats(name, [], Float32Array.of(value));
  const rmsNorm = (x: string, prefix: string): string => {
    const meanSquare = g.node('ReduceMean', [g.node('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const inverse = g.node('Reciprocal', [g.node('Sqrt', [g.node('Add', [meanSquare, scalar(`${prefix}.eps`, 1e-5)])])]);
    return g.node('Mul', [g.node('Mul', [x, inverse]), g.floats(`${prefix}.weight`, [d], new Float32Array(d).fill(1))]);
  };
  const kvType = shape.kvDtype === 'float16' ? 'FLOAT16' : 'FLOAT';

  const ids = g.input('input_ids', 'INT64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'INT64', ['batch_size', 'total_sequence_length']);
  const positionInput = shape.positionIds ? g.input('position_ids', 'INT64', ['batch_size', 'sequence_length']) : undefined;
  const past = Array.from({ length: shape.layers }, (_, layer) => ({
    key: g.input(`past_key_values.${layer}.key`, kvType, ['batch_size', kvHeads, 'past_sequence_length', hd]),
    value: g.input(`past_key_values.${layer}.value`, kvType, ['batch_size', kvHeads, 'past_sequence_length', hd]),
  }));

  // Lengths: S new tokens, T = past + S keys. Scalars for Range, 1-element tensors for Slice.
  const one = g.int64s('one', [1]);
  const seqLen = g.node('Slice', [g.node('Shape', [ids]), one, g.int64s('two', [2])]);
  const totalLen = g.node('Slice', [g.node('Shape', [mask]), one, g.int64s('two_t', [2])]);
  const pastLen = g.node('Sub', [totalLen, seqLen]);
  const scalarOf = (t: string): string => g.node('Squeeze', [t, g.int64s(`${t}.axes`, [0])]);
  const int64Scalar = (name: string, value: bigint): string =>
    g.initializer(name, { dtype: 'INT64', dims: [], bytes: new Uint8Array(BigInt64Array.of(value).buffer) });
  const oneScalar = int64Scalar('one_scalar', 1n);

  // Positions: given, or (as many exports do) the running count of unmasked keys minus one.
  const positions = positionInput ?? (() => {
    const counted = g.node('CumSum', [mask, int64Scalar('cumsum_axis', 1n)]);
    const zeroBased = g.node('Max', [g.node('Sub', [counted, one]), g.int64s('zero_pos', [0])]);
    return g.node('Slice', [zeroBased, pastLen, totalLen, one]);
  })();

  // Rotary tables (HF layout: the frequency vector repeated twice across the head dim), gathered at `positions`.
  const cosTable = new Float32Array(shape.maxPositions * hd);
  const sinTable = new Float32Array(shape.maxPositions * hd);
  for (let p = 0; p < shape.maxPositions; p++) {
    for (let i = 0; i < hd / 2; i++) {
      const angle = p / 10000 ** ((2 * i) / hd);
      for (const j of [i, i + hd / 2]) {
        cosTable[p * hd + j] = Math.cos(angle);
        sinTable[p * hd + j] = Math.sin(angle);
      }
    }
  }
  const axis1 = g.int64s('axis1', [1]);
  const cos = g.node('Unsqueeze', [g.node('Gather', [g.floats('rope.cos', [shape.maxPositions, hd], cosTable), positions], { axis: 0 }), axis1]);
  const sin = g.node('Unsqueeze', [g.node('Gather', [g.floats('rope.sin', [shape.maxPositions, hd], sinTable), positions], { axis: 0 }), axis1]);
  const halves = g.int64s('rope.halves', [hd / 2, hd / 2]);
  const rotary = (x: string): string => {
    const [first, second] = [`${x}.first`, `${x}.second`];
    g.node('Split', [x, halves], { axis: -1 }, [first, second]);
    const rotated = g.node('Concat', [g.node('Neg', [second]), first], { axis: -1 });
    return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [rotated, sin])]);
  };

  // Causal + padding mask [batch, 1, S, T]: key j is visible to query i when j ≤ past + i and attention_mask[j] = 1.
  const totalScalar = scalarOf(totalLen);
  const keyIndex = g.node('Range', [int64Scalar('zero_scalar', 0n), totalScalar, oneScalar]);
  const queryIndex = g.node('Range', [scalarOf(pastLen), totalScalar, oneScalar]);
  const causal = g.node('LessOrEqual', [g.node('Unsqueeze', [keyIndex, g.int64s('axis0', [0])]), g.node('Unsqueeze', [queryIndex, axis1])]);
  const padding = g.node('Unsqueeze', [g.node('Cast', [mask], { to: 9 }), g.int64s('axes_1_2', [1, 2])]);
  const visible = g.node('And', [padding, causal]);
  const masked = scalar('masked_score', maskedScore);

  const groups = heads / kvHeads;
  const scale = scalar('attention_scale', 1 / Math.sqrt(hd));
  const toHeadsShapes = new Map([heads, kvHeads].map((n) => [n, g.int64s(`to_heads_${n}`, [0, 0, n, hd])]));
  const toHeads = (n: number): string => toHeadsShapes.get(n) as string;
  const byKvGroup = g.int64s('by_kv_group', [0, kvHeads, -1, hd]);
  const scoresByHead = g.int64s('scores_by_head', [0, heads, -1, 0]);
  const scoresByKv = g.int64s('scores_by_kv', [0, kvHeads, -1, 0]);
  const contextByHead = g.int64s('context_by_head', [0, heads, -1, hd]);
  const merge = g.int64s('merge_heads', [0, 0, d]);
  const kvOut = (x: string): string => (shape.kvDtype === 'float16' ? g.node('Cast', [x], { to: 10 }) : x);
  const kvIn = (x: string): string => (shape.kvDtype === 'float16' ? g.node('Cast', [x], { to: 1 }) : x);

  let x = g.node('Gather', [weight('embed_tokens', [vocab, d], 1), ids], { axis: 0 });
  for (let layer = 0; layer < shape.layers; layer++) {
    const p = `layers.${layer}`;
    const h = rmsNorm(x, `${p}.input_norm`);
    const project = (name: string, n: number): string =>
      g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [h, weight(`${p}.${name}`, [d, n * hd], 1 / Math.sqrt(d))]), toHeads(n)])], { perm: [0, 2, 1, 3] });
    const q = rotary(project('q_proj', heads));
    const k = rotary(project('k_proj', kvHeads));
    const v = project('v_proj', kvHeads);
    const layerPast = past[layer] as { key: string; value: string };
    const presentKey = g.node('Concat', [layerPast.key, kvOut(k)], { axis: 2 }, [`present.${layer}.key`]);
    const presentValue = g.node('Concat', [layerPast.value, kvOut(v)], { axis: 2 }, [`present.${layer}.value`]);
    // Grouped-query attention without copying keys: the query heads sharing a key/value head are stacked along the
    // query axis ([batch, kv, groups·S, hd]), which is HF's repeat_kv order (query head = kv head · groups + g).
    const keysT = g.node('Transpose', [kvIn(presentKey)], { perm: [0, 1, 3, 2] });
    const scores = g.node('Mul', [g.node('MatMul', [g.node('Reshape', [q, byKvGroup]), keysT]), scale]);
    const visibleScores = g.node('Where', [visible, g.node('Reshape', [scores, scoresByHead]), masked]);
    const probabilities = g.node('Reshape', [g.node('Softmax', [visibleScores], { axis: -1 }), scoresByKv]);
    const context = g.node('Reshape', [g.node('MatMul', [probabilities, kvIn(presentValue)]), contextByHead]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), merge]);
    x = g.node('Add', [x, g.node('MatMul', [merged, weight(`${p}.o_proj`, [d, d], 1 / Math.sqrt(d))])]);
    const h2 = rmsNorm(x, `${p}.post_attention_norm`);
    const gate = g.node('MatMul', [h2, weight(`${p}.gate_proj`, [d, ff], 1 / Math.sqrt(d))]);
    const up = g.node('MatMul', [h2, weight(`${p}.up_proj`, [d, ff], 1 / Math.sqrt(d))]);
    const swish = g.node('Mul', [gate, g.node('Sigmoid', [gate])]);
    x = g.node('Add', [x, g.node('MatMul', [g.node('Mul', [swish, up]), weight(`${p}.down_proj`, [ff, d], 1 / Math.sqrt(ff))])]);
  }
  const head = weight('lm_head', [d, vocab], 4 / Math.sqrt(d));
  const bias = new Float32Array(vocab);
  for (let id = 0; id < vocab; id++) {
    const printable = id >= shape.printable[0] && id <= shape.printable[1];
    bias[id] = id === shape.eosTokenId ? -4 : printable ? 0 : -30;
  }
  const eosByPosition = new Float32Array(shape.maxPositions);
  for (let p = 0; p < shape.maxPositions; p++) eosByPosition[p] = p % shape.eosPeriod >= shape.eosPeriod - shape.eosWindow ? shape.eosBias : 0;
  const eosOneHot = new Float32Array(vocab);
  eosOneHot[shape.eosTokenId] = 1;
  const eosBonus = g.node('Mul', [
    g.node('Unsqueeze', [g.node('Gather', [g.floats('eos.by_position', [shape.maxPositions], eosByPosition), positions], { axis: 0 }), g.int64s('axis_last', [-1])]),
    g.floats('eos.one_hot', [vocab], eosOneHot),
  ]);
  const logits = g.node('Add', [g.node('MatMul', [rmsNorm(x, 'norm'), head]), g.floats('lm_head.bias', [vocab], bias)]);
  if (shape.useCacheBranch) {
    const flag = g.input('use_cache_branch', 'BOOL', [1]);
    const hasPast = g.node('Greater', [pastLen, g.int64s('zero_past', [0])]);
    const wrong = g.node('Cast', [g.node('Xor', [flag, hasPast])], { to: 1 });
    const forced = new Float32Array(vocab);
    forced[65] = 1e4;
    const penalty = g.node('Mul', [g.node('Unsqueeze', [wrong, g.int64s('axes_flag', [0, 1])]), g.floats('use_cache_branch.forced', [vocab], forced)]);
    g.node('Add', [g.node('Add', [logits, eosBonus]), penalty], {}, ['logits']);
  } else {
    g.node('Add', [logits, eosBonus], {}, ['logits']);
  }

  g.output('logits', 'FLOAT', ['batch_size', 'sequence_length', vocab]);
  for (let layer = 0; layer < shape.layers; layer++) {
    g.output(`present.${layer}.key`, kvType, ['batch_size', kvHeads, 'total_sequence_length', hd]);
    g.output(`present.${layer}.value`, kvType, ['batch_size', kvHeads, 'total_sequence_length', hd]);
  }
  return g.toBytes(17);
}
