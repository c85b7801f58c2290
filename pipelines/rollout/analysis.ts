/**
 * Server-side canary analysis: the canary's p95, error rate and request count from Prometheus over a window,
 * with the same PromQL as the alert rules (policies/queries.ts) narrowed to track="canary".
 */
import { errorRateQuery, p95LatencyQuery, requestCountQuery, trackSelector } from '../../policies/queries.js';
import { queryScalar } from '../prometheus/client.js';
import type { CanaryFigures } from './verdict.js';

export interface CanaryQueries {
  readonly p95: string;
  readonly errorRate: string;
  readonly requests: string;
}

export function canaryQueries(windowSeconds: number): CanaryQueries {
  const selector = trackSelector('canary');
  const window = `${Math.max(1, Math.round(windowSeconds))}s`;
  return {
    p95: p95LatencyQuery(selector, window),
    errorRate: errorRateQuery(selector, window),
    requests: requestCountQuery(selector, window),
  };
}

/** Evaluates the three queries at `at` over the `windowSeconds` before it. */
export async function canaryFigures(prometheusUrl: string, windowSeconds: number, at: Date): Promise<CanaryFigures> {
  const q = canaryQueries(windowSeconds);
  const [p95Seconds, errorRate, requests] = await Promise.all([
    queryScalar(prometheusUrl, q.p95, at),
    queryScalar(prometheusUrl, q.errorRate, at),
    queryScalar(prometheusUrl, q.requests, at),
  ]);
  return { p95Ms: p95Seconds === undefined ? undefined : p95Seconds * 1000, errorRate, requests };
}
