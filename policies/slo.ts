/**
 * The one source of truth for the service level objective.
 *
 * k6 thresholds (loadtests/lib/config.ts), the PrometheusRule and Grafana dashboard (stacks/components/observability),
 * the rollout gate (pipelines/rollout), the policy checks (policies/rules) and the service defaults all import this
 * object. Changing the SLO is a one-line pull request here; nothing else may restate these numbers.
 *
 * This file has no imports so that k6 (which bundles TypeScript with esbuild and has no Node built-ins) can
 * import it as well.
 */
export interface Slo {
  /** Latency objective: p95 of successful inference requests, in milliseconds (seed: < 200 ms). */
  readonly latencyP95Ms: number;
  /** Alert: p95 above this many milliseconds ... (seed: 500 ms) */
  readonly alertLatencyP95Ms: number;
  /** ... sustained for this many minutes (seed: 5 m). Prometheus `for:` duration. */
  readonly alertForMinutes: number;
  /** Error-rate objective as a fraction of requests (< 1 %). 5xx and transport failures count; 4xx do not. */
  readonly errorRate: number;
  /** k6 `checks` rate a gate requires (> 99 %). */
  readonly checksRate: number;
  /** Canary traffic steps in percent, in order; the first is the canary's first exposure (seed: 20 %, then 100 %). */
  readonly canarySteps: readonly number[];
  /** Minimum requests a gate must observe before it may pass: a threshold over no samples proves nothing. */
  readonly gateMinRequests: number;
  /** Length of the observation window of each canary step, in seconds. */
  readonly gateWindowSeconds: number;
  /** A hung container must be restarted within this many seconds (seed: ≤ 60 s). */
  readonly restartWithinSeconds: number;
  /** Result cache time-to-live in seconds (seed: 300 s). */
  readonly cacheTtlSeconds: number;
  /** Dynamic batching: allowed range of maxBatchSize (seed: 16–128). */
  readonly batch: { readonly min: number; readonly max: number };
  /** Objectives of text generation (generative models: /v1/completions, /v1/chat/completions, V2 generate). */
  readonly generation: GenerationSlo;
  /** Drift alert (src/drift, docs/usage-and-drift.md): live inputs/outputs against the version's reference profile. */
  readonly drift: DriftSlo;
}

/**
 * A streamed answer has no single "response time": the user waits for the first token, then reads as tokens
 * arrive. Time to first token stands in for the seed's 200 ms response time; inter-token latency bounds the pace.
 */
export interface GenerationSlo {
  /** p95 time to first token in milliseconds (the seed's 200 ms response time, applied to the first token). */
  readonly ttftP95Ms: number;
  /** Alert: TTFT p95 above this many milliseconds for `alertForMinutes`. */
  readonly alertTtftP95Ms: number;
  /** p95 inter-token latency in milliseconds: 50 ms is 20 tokens/s per stream, faster than people read. */
  readonly itlP95Ms: number;
  /** Alert: ITL p95 above this many milliseconds for `alertForMinutes`. */
  readonly alertItlP95Ms: number;
  /** Streams per second a gate sends besides its inference traffic; each streams up to `gateMaxTokens`. */
  readonly gateStreamsPerSecond: number;
  /** Tokens each gate stream asks for: enough to measure ITL, short enough to keep a window's load light. */
  readonly gateMaxTokens: number;
  /** Minimum streams a gate must observe before its TTFT figure counts. */
  readonly gateMinStreams: number;
}

export interface DriftSlo {
  /**
   * Alert when a feature's population stability index reaches this. 0.25 is the customary "significant shift"
   * line (0.1–0.25 "moderate"; Yurdakul 2018, "Statistical properties of population stability index").
   */
  readonly psiAlert: number;
  /** Window of live traffic compared with the reference, in minutes. */
  readonly windowMinutes: number;
  /** ... and the PSI must stay above psiAlert this long. */
  readonly forMinutes: number;
  /** Observations of a feature the window must hold before its PSI counts: a few requests prove nothing. */
  readonly minObservations: number;
}

export const slo: Slo = {
  latencyP95Ms: 200,
  alertLatencyP95Ms: 500,
  alertForMinutes: 5,
  errorRate: 0.01,
  checksRate: 0.99,
  canarySteps: [20, 100],
  gateMinRequests: 200,
  gateWindowSeconds: 60,
  restartWithinSeconds: 60,
  cacheTtlSeconds: 300,
  batch: { min: 16, max: 128 },
  generation: {
    ttftP95Ms: 200,
    alertTtftP95Ms: 500,
    itlP95Ms: 50,
    alertItlP95Ms: 100,
    gateStreamsPerSecond: 2,
    gateMaxTokens: 16,
    gateMinStreams: 20,
  },
  drift: { psiAlert: 0.25, windowMinutes: 60, forMinutes: 15, minObservations: 200 },
};

/** The first canary step, in percent: the traffic share a new version gets before any gate has passed. */
export const firstCanaryStep: number = slo.canarySteps[0] ?? 0;
