/**
 * Per-row feature values of one request, as drift profiles define them (profile.ts). The profile CLI and the live
 * monitor call the same functions, so a sample binned offline and the same traffic binned live agree exactly.
 *
 * Work per request is bounded: at most `maxValuesPerTensor` element values are read from one input (evenly
 * strided over a larger tensor) and at most `maxRowsPerTensor` rows are counted, so a 4-million-element request
 * costs the event loop no more than a small one.
 */
import type { TypedArray } from '../protocol/datatypes.js';
import type { FeatureKind } from './profile.js';

export const featureBounds = { maxValuesPerTensor: 4096, maxRowsPerTensor: 256 } as const;

/** A tensor as either side holds it: host tensors (typed arrays) on input, JSON arrays on output. */
export interface FeatureTensor {
  readonly shape: readonly number[];
  readonly data: TypedArray | ArrayLike<number | bigint | boolean>;
}

const toNumber = (v: number | bigint | boolean | undefined): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v ? 1 : 0);

/** Calls `emit` with each value of the feature for this tensor. */
export function featureValues(kind: FeatureKind, tensor: FeatureTensor, emit: (value: number) => void): void {
  const data = tensor.data as ArrayLike<number | bigint | boolean>;
  const length = data.length;
  if (length === 0) return;
  if (kind === 'input_values') {
    const stride = Math.max(1, Math.ceil(length / featureBounds.maxValuesPerTensor));
    for (let i = 0; i < length; i += stride) emit(toNumber(data[i]));
    return;
  }
  const rows = Math.max(1, tensor.shape[0] ?? 1);
  const rowSize = Math.floor(length / rows);
  const counted = Math.min(rows, featureBounds.maxRowsPerTensor);
  for (let r = 0; r < counted; r++) {
    const start = r * rowSize;
    if (kind === 'input_nonzero_per_row') {
      let nonzero = 0;
      for (let i = start; i < start + rowSize; i++) if (toNumber(data[i]) !== 0) nonzero++;
      emit(nonzero);
    } else {
      let best = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < rowSize; i++) {
        const v = toNumber(data[start + i]);
        if (v > bestValue) {
          bestValue = v;
          best = i;
        }
      }
      emit(best);
    }
  }
}
