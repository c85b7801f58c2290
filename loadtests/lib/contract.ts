/**
 * What the Node side (the rollout driver in pipelines/rollout) reads from the k6 scripts: the tag and metric names
 * of the gate and the shape of k6's end-of-test summary. No imports and no k6 globals, so both TypeScript
 * configurations (k6's and Node's) accept this file.
 */

/** Tag on every inference request, so thresholds ignore the setup's health and metadata calls. */
export const inferTag = { endpoint: 'infer' } as const;

/** Counter of inference requests a gate saw; its threshold enforces slo.gateMinRequests. */
export const inferRequestsMetric = 'infer_requests';

/** Tag on every streaming generate request. */
export const generateTag = { endpoint: 'generate' } as const;

/** k6 custom metrics of the streaming scripts (Trends in milliseconds, a Counter of streams). */
export const generateMetrics = {
  /** Time to first token: the response head is written with the first token's event, so it is time to first byte. */
  ttft: 'generate_ttft',
  /** Mean gap between a stream's tokens: receiving time over (tokens − 1). */
  itl: 'generate_itl',
  /** Completion tokens per second of one stream, first token to last. */
  tokensPerSecond: 'generate_tokens_per_second',
  streams: 'generate_streams',
} as const;

/** The parts of k6's end-of-test summary used here (https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/). */
export interface SummaryMetric {
  readonly type: string;
  readonly contains?: string;
  readonly values: { readonly [stat: string]: number };
  readonly thresholds?: { readonly [expression: string]: { readonly ok: boolean } };
}

export interface SummaryData {
  readonly metrics: { readonly [name: string]: SummaryMetric };
  readonly state?: { readonly testRunDurationMs?: number };
}
