/**
 * Server-side canary analysis: the canary's p95, error rate and request count (and for a generative model its TTFT
 * p95 and stream count) from Prometheus over a window,
 * with the same PromQL as the alert rules (policies/queries.ts) narrowed to track="canary".
 */
import {
  errorRateQuery,
  p95LatencyQuery,
  p95TimeToFirstTokenQuery,
  requestCountQuery,
  streamCountQuery,
  trackSelector,
} from '../../policies/queries.js';
import { queryScalar } from '../prometheus/client.js';
import type { CanaryFigures } from './verdict.js';

export interface CanaryQueries {
  readonly p95: string;
  readonly errorRate: string;
  readonly requests: string;
  readonly ttftP95: string;
  readonly streams: string;
}

export function canaryQueries(windowSeconds: number): CanaryQueries {
  const selector = trackSelector('canary');
  const window = `${Math.max(1, Math.round(windowSeconds))}s`;
  return {
    p95: p95LatencyQuery(selector, window),
    errorRate: errorRateQuery(selector, window),
    requests: requestCountQuery(selector, window),
    ttftP95: p95TimeToFirstTokenQuery(selector, window),
    streams: streamCountQuery(selector, window),
  };
}

/** Evaluates the queries at `at` over the `windowSeconds` before it; the TTFT ones only for a generative target. */
export async function canaryFigures(prometheusUrl: string, windowSeconds: number, at: Date, generative = false): Promise<CanaryFigures> {
  const q = canaryQueries(windowSeconds);
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
  const [p95Seconds, errorRate, requests, ttftSeconds, streams] = await Promise.all([
    queryScalar(prometheusUrl, q.p95, at),
    queryScalar(prometheusUrl, q.errorRate, at),
    queryScalar(prometheusUrl, q.requests, at),
    generative ? queryScalar(prometheusUrl, q.ttftP95, at) : undefined,
    generative ? queryScalar(prometheusUrl, q.streams, at) : undefined,
  ]);
  return { p95Ms: ms(p95Seconds), errorRate, requests, ...(generative ? { generation: { ttftP95Ms: ms(ttftSeconds), streams } } : {}) };
}
