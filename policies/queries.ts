/**
 * PromQL built from the metric contract (services/inference/src/metrics/names.ts) and the SLO (policies/slo.ts).
 * The PrometheusRule, the Grafana dashboard and the rollout driver's canary analysis all use these, so an alert and
 * a gate can never disagree about what "p95" or "error rate" means.
 */
import { metricNames, trackLabel } from '../services/inference/src/metrics/names.js';

/** A PromQL label selector body, e.g. `track="canary"`; empty for all series. */
export type Selector = string;

export function trackSelector(track: 'stable' | 'canary'): Selector {
  return `${trackLabel}="${track}"`;
}

/** p95 request latency in seconds over `window` (e.g. "5m"). */
export function p95LatencyQuery(selector: Selector, window: string): string {
  return `histogram_quantile(0.95, sum by (le) (rate(${metricNames.requestDuration}_bucket{${selector}}[${window}])))`;
}

/** p95 time to first token in seconds over `window` (generative models). */
export function p95TimeToFirstTokenQuery(selector: Selector, window: string): string {
  return `histogram_quantile(0.95, sum by (le) (rate(${metricNames.timeToFirstToken}_bucket{${selector}}[${window}])))`;
}

/** p95 inter-token latency in seconds over `window` (generative models). */
export function p95InterTokenLatencyQuery(selector: Selector, window: string): string {
  return `histogram_quantile(0.95, sum by (le) (rate(${metricNames.interTokenLatency}_bucket{${selector}}[${window}])))`;
}

/** Streams that got a first token over `window`: the sample count behind the TTFT figure. */
export function streamCountQuery(selector: Selector, window: string): string {
  return `sum(increase(${metricNames.timeToFirstToken}_count{${selector}}[${window}]))`;
}

/** Fraction of requests answered with a 5xx over `window`; 4xx are the caller's errors and do not count. */
export function errorRateQuery(selector: Selector, window: string): string {
  const all = `sum(rate(${metricNames.requests}{${selector}}[${window}]))`;
  const sel = selector ? `${selector},` : '';
  const errors = `sum(rate(${metricNames.requests}{${sel}status=~"5.."}[${window}]))`;
  return `(${errors} or vector(0)) / ${all}`;
}

/** Number of requests over `window`, for the gate's minimum-sample rule. */
export function requestCountQuery(selector: Selector, window: string): string {
  return `sum(increase(${metricNames.requests}{${selector}}[${window}]))`;
}

/** Floor for a bin's fraction in the PSI, so an empty bin counts as a large (not infinite) difference. */
export const psiEpsilon = 0.0001;

/** Live observations of each drift feature over `window`, summed over pods: {model, version, feature}. */
export function driftObservationCountQuery(window: string, selector: Selector = ''): string {
  return `sum by (model, version, feature) (increase(${metricNames.driftObservations}{${selector}}[${window}]))`;
}

/**
 * Population stability index of each drift feature over `window`: Σ over bins (p − q) · ln(p / q), with p the live
 * fraction of a bin (all pods), q the profile's reference fraction, both floored at psiEpsilon. One series per
 * {model, version, feature}; 0 means the live traffic looks like the reference. `selector` narrows both metrics
 * (the dashboard's per-model row passes `model="$model"`).
 */
export function driftPsiQuery(window: string, selector: Selector = ''): string {
  const byBin = 'model, version, feature, bin';
  const live = `sum by (${byBin}) (increase(${metricNames.driftObservations}{${selector}}[${window}]))`;
  const p = `clamp_min(${live} / ignoring (bin) group_left ${driftObservationCountQuery(window, selector)}, ${psiEpsilon})`;
  const q = `clamp_min(max by (${byBin}) (${metricNames.driftReference}{${selector}}), ${psiEpsilon})`;
  return `sum by (model, version, feature) ((${p} - ${q}) * ln(${p} / ${q}))`;
}
