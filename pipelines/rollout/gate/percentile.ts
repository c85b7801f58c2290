/** Nearest-rank 95th percentile (the value at rank ⌈0.95 n⌉), undefined for no values. */
export function nearestRankP95(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)];
}
