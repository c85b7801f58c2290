/**
 * A drift profile from feature values: bin edges at the sample's quantiles (or one bin per value when the values
 * are few, one per class for an output), the sample's fraction per bin, and summary statistics.
 */
import { profileLimits, type DriftFeature, type FeatureKind, type FeatureSummary } from '../../src/drift/profile.js';

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

export function summarize(values: Float64Array): FeatureSummary {
  const sorted = Float64Array.from(values).sort();
  const count = sorted.length;
  const mean = count === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / count;
  const variance = count === 0 ? 0 : sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / count;
  const round = (v: number) => Number(v.toPrecision(8));
  return {
    count,
    mean: round(mean),
    std: round(Math.sqrt(variance)),
    min: sorted[0] ?? 0,
    p05: round(quantile(sorted, 0.05)),
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    max: sorted[count - 1] ?? 0,
  };
}

/**
 * Edges for `bins` bins. Few distinct values (≤ bins): an edge halfway between neighbours, so each value has its
 * own bin. Otherwise the (i / bins)-quantiles, deduplicated (ties can merge bins).
 */
export function edgesOf(values: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const distinct = [...new Set(sorted)];
  if (distinct.length <= bins) {
    if (distinct.length === 1) return [distinct[0] as number];
    return distinct.slice(1).map((v, i) => ((distinct[i] as number) + v) / 2);
  }
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = Number(quantile(sorted, i / bins).toPrecision(10));
    if (edges.length === 0 || e > (edges[edges.length - 1] as number)) edges.push(e);
  }
  // The top quantile may equal the maximum: keep (last edge, +∞) meaningful by dropping an edge at the max.
  if (edges.length > 1 && edges[edges.length - 1] === sorted[sorted.length - 1]) edges.pop();
  return edges;
}

export function referenceOf(values: Float64Array, edges: readonly number[], bin: (edges: readonly number[], v: number) => number): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[bin(edges, v)] = (counts[bin(edges, v)] ?? 0) + 1;
  const total = values.length;
  const fractions = counts.map((c) => Number((c / total).toPrecision(10)));
  // Rounding must not break the sum-to-1 check at load: put the residue on the largest bin.
  const residue = 1 - fractions.reduce((a, b) => a + b, 0);
  const largest = fractions.indexOf(Math.max(...fractions));
  fractions[largest] = Number(((fractions[largest] as number) + residue).toPrecision(12));
  return fractions;
}

export function classEdges(classes: number): number[] {
  return Array.from({ length: Math.min(classes, profileLimits.maxBins) - 1 }, (_, i) => i + 0.5);
}

export function featureOf(
  name: string,
  kind: FeatureKind,
  tensor: string,
  values: Float64Array,
  edges: readonly number[],
  bin: (edges: readonly number[], v: number) => number,
): DriftFeature {
  return { name, kind, tensor, edges: [...edges], reference: referenceOf(values, edges, bin), summary: summarize(values) };
}
