import ort from 'onnxruntime-node';
import { fromHalfBits } from '../protocol/float16.js';
import type { DecoderLayout } from './decoder-layout.js';
import type { KvTensors } from './kv-cache.js';

/**
 * int64 tensor of non-negative values below 2³¹ (ids, positions, mask bits), written as little-endian 32-bit
 * halves: BigInt64Array.from with a BigInt per element costs more than the decode step of a small model.
 */
const int64 = (values: ArrayLike<number>, dims: readonly number[]): ort.Tensor => {
  const words = new Int32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) words[i * 2] = values[i] as number;
  return new ort.Tensor('int64', new BigInt64Array(words.buffer), dims);
};

/** One decoder run's inputs: `rows` × `seq` new tokens on top of `past`. */
export interface DecoderFeed {
  readonly ids: readonly number[];
  readonly rows: number;
  readonly seq: number;
  /** [rows, past.width + seq], 1 = attend, 0 = padding. */
  readonly mask: ArrayLike<number>;
  /** [rows, seq], each token's true position. */
  readonly positions: readonly number[];
  readonly past: KvTensors;
}

/** Feeds a decoder graph in the Optimum layout and reads what it returns; knows nothing of scheduling. */
export class DecoderRunner {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly layout: DecoderLayout,
  ) {}

  /** Runs once; returns the logits [rows, seq, vocab] and the present cache (past.width + seq wide). */
  async run(feed: DecoderFeed): Promise<{ readonly logits: ort.Tensor; readonly present: KvTensors }> {
    const { ids, rows, seq, mask, positions, past } = feed;
    const { layers, kvHeads, headDim, kvType } = this.layout;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64(ids, [rows, seq]),
      attention_mask: int64(mask, [rows, past.width + seq]),
    };
    if (this.layout.positionIds) feeds.position_ids = int64(positions, [rows, seq]);
    if (this.layout.useCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(past.width > 0 ? 1 : 0), [1]);
    const kvDims = [rows, kvHeads, past.width, headDim];
    for (let layer = 0; layer < layers; layer++) {
      feeds[`past_key_values.${layer}.key`] = new ort.Tensor(kvType, past.keys[layer] as Float32Array, kvDims);
      feeds[`past_key_values.${layer}.value`] = new ort.Tensor(kvType, past.values[layer] as Float32Array, kvDims);
    }
    const out = await this.session.run(feeds);
    const width = past.width + seq;
    const pick = (kind: 'key' | 'value') =>
      Array.from({ length: layers }, (_, layer) => {
        const tensor = out[`present.${layer}.${kind}`] as ort.Tensor;
        if (tensor.dims[2] !== width) throw new Error(`present.${layer}.${kind} has ${tensor.dims[2]} positions; expected ${width}`);
        return tensor.data as Float32Array | Uint16Array;
      });
    return { logits: out.logits as ort.Tensor, present: { keys: pick('key'), values: pick('value'), rows, width } };
  }

  /** The logits of one token as float32 (widened from float16 when the graph returns half precision). */
  logitsAt(logits: ort.Tensor, row: number, seq: number, position: number): { readonly data: Float32Array; readonly offset: number } {
    const vocab = this.layout.vocabSize;
    const offset = (row * seq + position) * vocab;
    if (this.layout.logitsType !== 'float16') return { data: logits.data as Float32Array, offset };
    const bits = logits.data as Uint16Array;
    const widened = new Float32Array(vocab);
    for (let i = 0; i < vocab; i++) widened[i] = fromHalfBits(bits[offset + i] as number);
    return { data: widened, offset: 0 };
  }
}
