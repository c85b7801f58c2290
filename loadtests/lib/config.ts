/**
 * Target and pass/fail rules shared by every k6 script.
 *
 * The target comes from the environment (`k6 run -e BASE_URL=... -e TOKEN=... -e MODEL=...`); the thresholds come
 * from the SLO source, policies/slo.ts, so a k6 gate, the PrometheusRule and the rollout driver cannot disagree.
 * No k6 module is imported here: the Node side (tests, the rollout driver) imports this file too.
 */
import { slo } from '../../policies/slo.ts';
import { generateMetrics, generateTag, inferRequestsMetric, inferTag } from './contract.ts';

export { generateMetrics, generateTag, inferRequestsMetric, inferTag };

/** `__ENV` exists inside k6; under Node (tests) the defaults apply. */
const env: { readonly [name: string]: string | undefined } = typeof __ENV === 'undefined' ? {} : __ENV;

export interface TargetConfig {
  /** Base URL of the gateway or service, without a trailing slash. */
  readonly baseUrl: string;
  /** Bearer token for AUTH_MODE=jwt targets (scope `infer models:read`); empty for AUTH_MODE=none. */
  readonly token: string;
  /** Model name served under /v2/models/{model}. */
  readonly model: string;
  /** Directory handleSummary writes its JSON and Markdown into. */
  readonly summaryDir: string;
  /** Generative model served under /v1 (the streaming script; the canary gate streams to it when set). */
  readonly generateModel: string;
}

export const target: TargetConfig = {
  baseUrl: (env['BASE_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
  token: env['TOKEN'] ?? '',
  model: env['MODEL'] ?? 'demo',
  summaryDir: (env['SUMMARY_DIR'] ?? 'loadtests/results').replace(/\/+$/, ''),
  generateModel: env['GENERATE_MODEL'] ?? '',
};

/**
 * k6 thresholds for a gate, straight from the SLO. `minRequests` exists because a threshold over a metric with no
 * samples passes: without it, a gate that never reached its target would be green.
 */
export function sloThresholds(minRequests: number = slo.gateMinRequests): Record<string, string[]> {
  const tag = `{endpoint:${inferTag.endpoint}}`;
  return {
    [`http_req_duration${tag}`]: [`p(95)<${slo.latencyP95Ms}`],
    [`http_req_failed${tag}`]: [`rate<${slo.errorRate}`],
    [`checks${tag}`]: [`rate>${slo.checksRate}`],
    [inferRequestsMetric]: [`count>=${minRequests}`],
  };
}

/**
 * k6 thresholds for streaming text generation, from the SLO's generation block: TTFT and ITL p95, the stream
 * checks, and a minimum stream count for the same reason as `minRequests` above.
 */
export function generationThresholds(minStreams: number = slo.generation.gateMinStreams): Record<string, string[]> {
  const tag = `{endpoint:${generateTag.endpoint}}`;
  return {
    [generateMetrics.ttft]: [`p(95)<${slo.generation.ttftP95Ms}`],
    [generateMetrics.itl]: [`p(95)<${slo.generation.itlP95Ms}`],
    [`http_req_failed${tag}`]: [`rate<${slo.errorRate}`],
    [`checks${tag}`]: [`rate>${slo.checksRate}`],
    [generateMetrics.streams]: [`count>=${minStreams}`],
  };
}

/** Request headers: JSON, the bearer token when one is configured, plus extras (e.g. the canary pin). */
export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const auth: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};
  return { 'content-type': 'application/json', ...auth, ...extra };
}
