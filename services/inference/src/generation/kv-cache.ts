import type { DecoderLayout } from './decoder-layout.js';

/** KV data as ONNX Runtime takes it: float32, or float16 as raw 16-bit patterns. */
export type KvArray = Float32Array | Uint16Array;

/** Key and value tensors of every layer, each [rows, kvHeads, width, headDim]. */
export interface KvTensors {
  readonly keys: readonly KvArray[];
  readonly values: readonly KvArray[];
  readonly rows: number;
  readonly width: number;
}

/**
 * One row of some KvTensors whose real entries are its last `length` columns (left padding before them): the
 * layout of the running batch, and of a finished prefill (a single hole-free row, width = length).
 */
export interface RowRef {
  readonly source: KvTensors;
  readonly row: number;
  readonly length: number;
}

export function allocate(layout: DecoderLayout, size: number): KvArray {
  return layout.kvType === 'float16' ? new Uint16Array(size) : new Float32Array(size);
}

/**
 * Packs rows into new tensors `width` columns wide, each right-aligned (left-padded with zeros). The padding is
 * masked out by attention_mask = 0, and zeros keep it finite so masked weights of exactly 0 leave no trace.
 * `size` rows are allocated (rows beyond `rows.length` stay zero).
 */
export function pack(layout: DecoderLayout, rows: readonly RowRef[], width: number, size = rows.length): KvTensors {
  const { kvHeads, headDim, layers } = layout;
  const build = (pick: (t: KvTensors) => readonly KvArray[]): KvArray[] =>
    Array.from({ length: layers }, (_, layer) => {
      const out = allocate(layout, size * kvHeads * width * headDim);
      rows.forEach((ref, r) => {
        if (ref.length > width) throw new Error(`row of ${ref.length} tokens does not fit ${width} columns`);
        const src = pick(ref.source)[layer] as KvArray;
        for (let h = 0; h < kvHeads; h++) {
          const from = ((ref.row * kvHeads + h) * ref.source.width + ref.source.width - ref.length) * headDim;
          const to = ((r * kvHeads + h) * width + width - ref.length) * headDim;
          out.set(src.subarray(from, from + ref.length * headDim), to);
        }
      });
      return out;
    });
  return { keys: build((t) => t.keys), values: build((t) => t.values), rows: size, width };
}

/**
 * Copies row `row` of `source`, keeping only the columns where `mask` is 1, into a hole-free single-row cache.
 * A batched prefill leaves padding both before the past and before the new chunk; this squeezes it out.
 */
export function extractRow(layout: DecoderLayout, source: KvTensors, row: number, mask: Uint8Array): KvTensors {
  const { kvHeads, headDim, layers } = layout;
  const columns: number[] = [];
  mask.forEach((m, c) => m && columns.push(c));
  const length = columns.length;
  const build = (list: readonly KvArray[]): KvArray[] =>
    Array.from({ length: layers }, (_, layer) => {
      const src = list[layer] as KvArray;
      const out = allocate(layout, kvHeads * length * headDim);
      for (let h = 0; h < kvHeads; h++) {
        const base = (row * kvHeads + h) * source.width;
        columns.forEach((c, i) => out.set(src.subarray((base + c) * headDim, (base + c + 1) * headDim), (h * length + i) * headDim));
      }
      return out;
    });
  return { keys: build(source.keys), values: build(source.values), rows: 1, width: length };
}

/** An empty cache of `rows` rows (zero width): the past of a first prefill. */
export function emptyCache(layout: DecoderLayout, rows: number): KvTensors {
  const none = Array.from({ length: layout.layers }, () => allocate(layout, 0));
  return { keys: none, values: none, rows, width: 0 };
}
