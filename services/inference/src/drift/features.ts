/**
 * Per-row feature values of one request, as drift profiles define them (profile.ts). The profile CLI and the live
 * monitor call the same functions, so a sample binned offline and the same traffic binned live agree exactly.
 *
 * Work per request is bounded: at most `maxValuesPerTensor` element values are read from one input (evenly
 * strided over a larger tensor) and at most `maxRowsPerTensor` rows are counted, so a 4-million-element request
 * costs the event loop no more than a small one.
 */
import { endianness } from 'node:os';
import type { TypedArray } from '../protocol/datatypes.js';
import type { FeatureKind } from './profile.js';

export const featureBounds = { maxValuesPerTensor: 4096, maxRowsPerTensor: 256 } as const;

/** A tensor as either side holds it: host tensors (typed arrays) on input, JSON arrays on output. */
export interface FeatureTensor {
  readonly shape: readonly number[];
  readonly data: TypedArray | ArrayLike<number | bigint | boolean>;
}

const littleEndian = endianness() === 'LE';

/** Element reader for the tensor's storage, chosen once per tensor (bigint arrays, booleans, plain numbers). */
function reader(data: ArrayLike<number | bigint | boolean>): (i: number) => number {
  // int64 / uint64 through 32-bit views of the same bytes: Number(bigint) per element cost ~4× the whole rest of
  // the monitoring (bench/drift-observe.ts). hi × 2³² + lo is exact for every safe integer.
  if (littleEndian && (data instanceof BigInt64Array || data instanceof BigUint64Array)) {
    const lo = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
    const hi = data instanceof BigInt64Array ? new Int32Array(data.buffer, data.byteOffset, data.length * 2) : lo;
    return (i) => (hi[2 * i + 1] as number) * 4294967296 + (lo[2 * i] as number);
  }
  const first = data[0];
  if (typeof first === 'bigint') {
    const big = data as ArrayLike<bigint>;
    return (i) => Number(big[i]);
  }
  if (typeof first === 'boolean') return (i) => (data[i] ? 1 : 0);
  const plain = data as ArrayLike<number>;
  return (i) => plain[i] as number;
}

/** Calls `emit` with each value of the feature for this tensor. */
export function featureValues(kind: FeatureKind, tensor: FeatureTensor, emit: (value: number) => void): void {
  const data = tensor.data as ArrayLike<number | bigint | boolean>;
  const length = data.length;
  if (length === 0) return;
  const at = reader(data);
  if (kind === 'input_values') {
    const stride = Math.max(1, Math.ceil(length / featureBounds.maxValuesPerTensor));
    for (let i = 0; i < length; i += stride) emit(at(i));
    return;
  }
  const rows = Math.max(1, tensor.shape[0] ?? 1);
  const rowSize = Math.floor(length / rows);
  const counted = Math.min(rows, featureBounds.maxRowsPerTensor);
  for (let r = 0; r < counted; r++) {
    const start = r * rowSize;
    if (kind === 'input_nonzero_per_row') {
      let nonzero = 0;
      for (let i = start; i < start + rowSize; i++) if (at(i) !== 0) nonzero++;
      emit(nonzero);
    } else {
      let best = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < rowSize; i++) {
        const v = at(start + i);
        if (v > bestValue) {
          bestValue = v;
          best = i;
        }
      }
      emit(best);
    }
  }
}
