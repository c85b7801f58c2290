import { GraphBuilder } from '../onnx/graph-builder.js';
import { mulberry32, uniformWeights } from '../onnx/prng.js';

/** Shape of the demo encoder; small enough for quick CPU inference, big enough that batching pays off. */
export interface EncoderShape {
  /** Token vocabulary size: valid input_ids are 0..vocabSize-1. */
  readonly vocabSize: number;
  /** Longest sequence the position table covers. */
  readonly maxSequence: number;
  /** Hidden width. */
  readonly hidden: number;
  /** Attention heads; must divide `hidden`. */
  readonly heads: number;
  /** Feed-forward width. */
  readonly feedForward: number;
  /** Encoder layers. */
  readonly layers: number;
  /** Output classes. */
  readonly classes: number;
  /** PRNG seed of every weight. */
  readonly seed: number;
}

export const demoEncoderShape: EncoderShape = {
  vocabSize: 2048,
  maxSequence: 128,
  hidden: 128,
  heads: 4,
  feedForward: 512,
  layers: 2,
  classes: 4,
  seed: 20_26,
};

/**
 * A transformer-encoder classifier: token + position embeddings, `layers` × (multi-head self-attention with
 * the attention mask, residual, LayerNorm, GELU feed-forward, residual, LayerNorm), masked mean pooling, a Gemm
 * head. Inputs `input_ids` and `attention_mask` (int64 [batch, sequence]); outputs `logits` [batch, classes],
 * `probabilities` [batch, classes] and `embedding` [batch, hidden]. Weights are seeded pseudo-random numbers,
 * so the model is deterministic (and meaningless, which is fine for a serving blueprint).
 */
export function buildDemoEncoder(shape: EncoderShape = demoEncoderShape): Uint8Array {
  const { hidden: d, heads, feedForward: ff, classes } = shape;
  const headSize = d / heads;
  if (!Number.isInteger(headSize)) throw new Error(`hidden ${d} is not divisible by heads ${heads}`);
  const random = mulberry32(shape.seed);
  const g = new GraphBuilder('demo_encoder');
  const weight = (name: string, dims: number[], fanIn: number): string =>
    g.floats(name, dims, uniformWeights(random, dims.reduce((a, b) => a * b, 1), 1 / Math.sqrt(fanIn)));
  const constant = (name: string, values: number[]): string => g.floats(name, [values.length], Float32Array.from(values));
  const ones = (name: string, n: number): string => g.floats(name, [n], new Float32Array(n).fill(1));
  const zeros = (name: string, n: number): string => g.floats(name, [n], new Float32Array(n));
  const layerNorm = (x: string, prefix: string): string =>
    g.node('LayerNormalization', [x, ones(`${prefix}.gamma`, d), zeros(`${prefix}.beta`, d)], { axis: -1, epsilon: { float: 1e-5 } });
  const dense = (x: string, prefix: string, inDim: number, outDim: number): string =>
    g.node('Add', [g.node('MatMul', [x, weight(`${prefix}.weight`, [inDim, outDim], inDim)]), weight(`${prefix}.bias`, [outDim], inDim)]);

  const ids = g.input('input_ids', 'INT64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'INT64', ['batch', 'sequence']);

  // Embeddings: token lookup plus the first `sequence` rows of the position table.
  const tokens = g.node('Gather', [weight('embeddings.token', [shape.vocabSize, d], d), ids], { axis: 0 });
  const seqLen = g.node('Slice', [g.node('Shape', [ids]), g.int64s('one', [1]), g.int64s('two', [2])]);
  const positions = g.node('Slice', [weight('embeddings.position', [shape.maxSequence, d], d), g.int64s('zero', [0]), seqLen, g.int64s('axis0', [0])]);
  let x = layerNorm(g.node('Add', [tokens, positions]), 'embeddings.norm');

  // Additive attention bias: 0 where mask = 1, -10000 where mask = 0, shaped [batch, 1, 1, sequence].
  const maskF = g.node('Cast', [mask], { to: 1 });
  const bias = g.node('Mul', [g.node('Sub', [constant('one_f', [1]), maskF]), constant('neg_large', [-10000])]);
  const bias4 = g.node('Unsqueeze', [bias, g.int64s('axes_1_2', [1, 2])]);
  const splitHeads = g.int64s('split_heads', [0, 0, heads, headSize]);
  const mergeHeads = g.int64s('merge_heads', [0, 0, d]);
  const scale = constant('attention_scale', [1 / Math.sqrt(headSize)]);

  for (let layer = 0; layer < shape.layers; layer++) {
    const p = `layer${layer}`;
    const project = (name: string, perm: number[]): string =>
      g.node('Transpose', [g.node('Reshape', [dense(x, `${p}.attention.${name}`, d, d), splitHeads])], { perm });
    const q = project('query', [0, 2, 1, 3]);
    const k = project('key', [0, 2, 3, 1]);
    const v = project('value', [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, k]), scale]), bias4]);
    const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), mergeHeads]);
    x = layerNorm(g.node('Add', [x, dense(merged, `${p}.attention.output`, d, d)]), `${p}.attention.norm`);
    const hiddenFf = gelu(g, dense(x, `${p}.ffn.in`, d, ff), constant);
    x = layerNorm(g.node('Add', [x, dense(hiddenFf, `${p}.ffn.out`, ff, d)]), `${p}.ffn.norm`);
  }

  // Masked mean pooling over the sequence axis.
  const mask3 = g.node('Unsqueeze', [maskF, g.int64s('axes_2', [2])]);
  const summed = g.node('ReduceSum', [g.node('Mul', [x, mask3]), g.int64s('axes_seq', [1])], { keepdims: 0 });
  const count = g.node('Max', [g.node('ReduceSum', [mask3, g.int64s('axes_seq_count', [1])], { keepdims: 0 }), constant('min_count', [1])]);
  g.node('Div', [summed, count], {}, ['embedding']);
  const logits = g.node('Gemm', ['embedding', weight('classifier.weight', [d, classes], d), weight('classifier.bias', [classes], d)], {}, ['logits']);
  g.node('Softmax', [logits], { axis: -1 }, ['probabilities']);

  g.output('logits', 'FLOAT', ['batch', classes]);
  g.output('probabilities', 'FLOAT', ['batch', classes]);
  g.output('embedding', 'FLOAT', ['batch', d]);
  return g.toBytes(17);
}

/** GELU with erf, as BERT exports it: 0.5 · x · (1 + erf(x / √2)). */
function gelu(g: GraphBuilder, x: string, constant: (name: string, values: number[]) => string): string {
  const erf = g.node('Erf', [g.node('Mul', [x, constant(`${x}.inv_sqrt2`, [Math.SQRT1_2])])]);
  return g.node('Mul', [g.node('Mul', [x, constant(`${x}.half`, [0.5])]), g.node('Add', [erf, constant(`${x}.one`, [1])])]);
}
