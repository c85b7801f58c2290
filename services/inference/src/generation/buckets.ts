/**
 * How to split the running batch into decode buckets. A bucket is one decode run per step; its rows are
 * left-padded to its longest, so a step of a bucket of R rows W columns wide costs about `F + R × W` in units of
 * one row-column of cache (F: the run's fixed cost, the same unit). Every row grows by one column per step, so the
 * best split only changes when the batch's membership does.
 */

/** Cost of one step over buckets of these widths (each row's length, any order), in row-columns. */
export function stepCost(buckets: ReadonlyArray<readonly number[]>, runCostColumns: number): number {
  let cost = 0;
  for (const lengths of buckets) {
    if (lengths.length === 0) continue;
    let width = 0;
    for (const length of lengths) width = Math.max(width, length);
    cost += runCostColumns + lengths.length * width;
  }
  return cost;
}

/**
 * The split of `lengths` into at most `maxBuckets` groups of consecutive lengths (once sorted) with the least
 * `stepCost`; returns each group as indices into `lengths`, shortest group first. Exact (dynamic programming over
 * the sorted lengths: an optimal split never interleaves, since a row always belongs with rows of similar length).
 */
export function bestSplit(lengths: readonly number[], runCostColumns: number, maxBuckets: number): number[][] {
  const n = lengths.length;
  if (n === 0) return [];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (lengths[a] as number) - (lengths[b] as number));
  const sorted = order.map((i) => lengths[i] as number);
  const groups = Math.max(1, Math.min(maxBuckets, n));
  // best[k][j]: least cost of the first j sorted rows in k buckets; from[k][j]: where its last bucket starts.
  const best = Array.from({ length: groups + 1 }, () => new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY));
  const from = Array.from({ length: groups + 1 }, () => new Int32Array(n + 1));
  (best[0] as Float64Array)[0] = 0;
  for (let k = 1; k <= groups; k++) {
    const row = best[k] as Float64Array;
    const previous = best[k - 1] as Float64Array;
    for (let j = 1; j <= n; j++) {
      // The last bucket holds sorted rows i..j-1; its width is the longest, sorted[j - 1].
      for (let i = k - 1; i < j; i++) {
        const cost = (previous[i] as number) + runCostColumns + (j - i) * (sorted[j - 1] as number);
        if (cost < (row[j] as number)) {
          row[j] = cost;
          (from[k] as Int32Array)[j] = i;
        }
      }
    }
  }
  let k = 1;
  for (let c = 2; c <= groups; c++) if (((best[c] as Float64Array)[n] as number) < ((best[k] as Float64Array)[n] as number)) k = c;
  const split: number[][] = [];
  for (let j = n; k > 0; k--) {
    const i = (from[k] as Int32Array)[j] as number;
    split.unshift(order.slice(i, j));
    j = i;
  }
  return split;
}
