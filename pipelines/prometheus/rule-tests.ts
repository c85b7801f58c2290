/**
 * promtool unit tests for the SLO alerts, generated from policies/slo.ts and the metric contract, so that the
 * proof ("a p95 alert fires when p95 stays above the threshold for the alert duration, and not below it, and not
 * for a shorter burst") follows the SLO when it changes.
 *
 * Input series are cumulative histogram buckets, one sample per minute, built from per-minute request counts in a
 * "fast" bucket (well under the objective) and a "slow" bucket (just above the alert threshold).
 */
import { slo } from '../../policies/slo.js';
import {
  interTokenLatencyBucketsSeconds,
  latencyBucketsSeconds,
  metricNames,
  timeToFirstTokenBucketsSeconds,
} from '../../services/inference/src/metrics/names.js';
import { alertRuleGroups, type AlertRule } from '../../stacks/components/observability/alert-rules.js';

/** Observations per minute of each kind, for each minute of a scenario. */
interface Traffic {
  readonly fast: readonly number[];
  readonly slow: readonly number[];
}

const forMinutes = slo.alertForMinutes;

/** A p95 alert over a histogram: the rule, the histogram it reads and the two thresholds the scenarios straddle. */
export interface HistogramAlertSpec {
  readonly alert: string;
  /** Histogram name without `_bucket`. */
  readonly metric: string;
  /** The histogram's bucket bounds in seconds (the service's own, from the metric contract). */
  readonly buckets: readonly number[];
  /** The objective: fast observations land in the bucket ending here. */
  readonly objectiveSeconds: number;
  /** The alert threshold: a bucket must end exactly here (observations there are slow but do not alert). */
  readonly thresholdSeconds: number;
}

/** Request latency: InferenceLatencyP95High over inference_request_duration_seconds. */
export const latencyAlert: HistogramAlertSpec = {
  alert: 'InferenceLatencyP95High',
  metric: metricNames.requestDuration,
  buckets: latencyBucketsSeconds,
  objectiveSeconds: slo.latencyP95Ms / 1000,
  thresholdSeconds: slo.alertLatencyP95Ms / 1000,
};

/** Time to first token of generative models. */
export const timeToFirstTokenAlert: HistogramAlertSpec = {
  alert: 'InferenceTimeToFirstTokenP95High',
  metric: metricNames.timeToFirstToken,
  buckets: timeToFirstTokenBucketsSeconds,
  objectiveSeconds: slo.generation.ttftP95Ms / 1000,
  thresholdSeconds: slo.generation.alertTtftP95Ms / 1000,
};

/** Inter-token latency of generative models. */
export const interTokenLatencyAlert: HistogramAlertSpec = {
  alert: 'InferenceInterTokenLatencyP95High',
  metric: metricNames.interTokenLatency,
  buckets: interTokenLatencyBucketsSeconds,
  objectiveSeconds: slo.generation.itlP95Ms / 1000,
  thresholdSeconds: slo.generation.alertItlP95Ms / 1000,
};

/** The bucket bounds a spec's scenarios use: fast at the objective, edge at the threshold, slow just above it. */
export function scenarioBucketsOf(spec: HistogramAlertSpec): { fastBucket: number; edgeBucket: number; slowBucket: number } {
  for (const bound of [spec.objectiveSeconds, spec.thresholdSeconds]) {
    if (!spec.buckets.includes(bound)) throw new Error(`${spec.metric} has no bucket ending at ${bound} s; histogram_quantile cannot resolve it`);
  }
  return {
    fastBucket: spec.objectiveSeconds,
    edgeBucket: spec.thresholdSeconds,
    slowBucket: spec.buckets.find((le) => le > spec.thresholdSeconds) ?? Number.POSITIVE_INFINITY,
  };
}

function cumulative(perMinute: readonly number[]): number[] {
  let total = 0;
  return [0, ...perMinute.map((n) => (total += n))];
}

/** One input series per bucket bound, each the cumulative count of observations at or under it. */
function bucketSeries(spec: HistogramAlertSpec, kinds: readonly { readonly le: number; readonly perMinute: readonly number[] }[]): object[] {
  const bounds = [...spec.buckets.map(String), '+Inf'];
  return bounds.map((bound) => {
    const le = bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound);
    const minutes = kinds[0]?.perMinute.length ?? 0;
    const counts = Array.from({ length: minutes }, (_, m) =>
      kinds.reduce((sum, k) => sum + (k.le <= le ? (k.perMinute[m] ?? 0) : 0), 0),
    );
    return {
      series: `${spec.metric}_bucket{le="${bound}",track="canary"}`,
      values: cumulative(counts).join(' '),
    };
  });
}

function alertRule(name: string): AlertRule {
  const rule = alertRuleGroups().flatMap((g) => g.rules).find((r) => r.alert === name);
  if (!rule) throw new Error(`alert ${name} is missing from alertRuleGroups()`);
  return rule;
}

/** The firing alert as promtool reports it, with `$value` rendered the way humanizeDuration renders it. */
function expectedAlert(spec: HistogramAlertSpec, p95Seconds: number): object {
  const rule = alertRule(spec.alert);
  const ms = Number((p95Seconds * 1000).toPrecision(4));
  return {
    exp_labels: rule.labels,
    exp_annotations: {
      ...rule.annotations,
      description: (rule.annotations['description'] ?? '').replace('{{ $value | humanizeDuration }}', `${ms}ms`),
    },
  };
}

/** p95 when every observation sits in the bucket (lower, upper]: histogram_quantile interpolates linearly. */
function interpolatedP95(buckets: readonly number[], upper: number): number {
  const index = buckets.indexOf(upper);
  const lower = index > 0 ? (buckets[index - 1] ?? 0) : 0;
  return lower + (upper - lower) * 0.95;
}

const steady = (perMinute: number, minutes: number): number[] => Array.from({ length: minutes }, () => perMinute);

/**
 * The promtool test file (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/) for a p95
 * alert: sustained above the threshold fires after `for`, not before; at the threshold never; a burst shorter than
 * `for` never.
 */
export function histogramAlertTests(spec: HistogramAlertSpec, ruleFile: string): object {
  const { fastBucket, edgeBucket, slowBucket } = scenarioBucketsOf(spec);
  const minutes = forMinutes * 3;
  const sustained: Traffic = { fast: steady(0, minutes), slow: steady(60, minutes) };
  const burstMinutes = forMinutes - 2;
  // A burst shorter than `for`, then fast traffic heavy enough that slow observations fall under 5 % of the window.
  const burst: Traffic = {
    fast: [...steady(0, burstMinutes), ...steady(6000, minutes - burstMinutes)],
    slow: [...steady(60, burstMinutes), ...steady(0, minutes - burstMinutes)],
  };
  const firing = expectedAlert(spec, interpolatedP95(spec.buckets, slowBucket));
  const ms = (seconds: number) => `${seconds * 1000} ms`;
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: `${spec.alert}: p95 just above ${ms(spec.thresholdSeconds)} for longer than ${forMinutes} m fires, not before`,
        interval: '1m',
        input_series: bucketSeries(spec, [{ le: slowBucket, perMinute: sustained.slow }]),
        alert_rule_test: [
          // rate() needs two samples, so the condition holds from minute 1; `for` counts from there.
          { eval_time: `${forMinutes}m`, alertname: spec.alert, exp_alerts: [] },
          { eval_time: `${forMinutes + 1}m`, alertname: spec.alert, exp_alerts: [firing] },
          { eval_time: `${minutes}m`, alertname: spec.alert, exp_alerts: [firing] },
        ],
      },
      {
        name: `${spec.alert}: p95 just below ${ms(spec.thresholdSeconds)} never fires`,
        interval: '1m',
        input_series: bucketSeries(spec, [{ le: edgeBucket, perMinute: steady(60, minutes) }]),
        alert_rule_test: [{ eval_time: `${minutes}m`, alertname: spec.alert, exp_alerts: [] }],
      },
      {
        name: `${spec.alert}: a ${burstMinutes}-minute burst above the threshold never fires`,
        interval: '1m',
        input_series: bucketSeries(spec, [
          { le: fastBucket, perMinute: burst.fast },
          { le: slowBucket, perMinute: burst.slow },
        ]),
        alert_rule_test: Array.from({ length: minutes }, (_, m) => ({
          eval_time: `${m + 1}m`,
          alertname: spec.alert,
          exp_alerts: [],
        })),
      },
    ],
  };
}

/** The request-latency alert's promtool tests. */
export function latencyAlertTests(ruleFile: string): object {
  return histogramAlertTests(latencyAlert, ruleFile);
}

/** Exposed for tests: the bucket bounds the scenarios use. */
export const scenarioBuckets = scenarioBucketsOf(latencyAlert);

const errorRule = (): AlertRule => alertRule('InferenceErrorRateHigh');

/** Request counters by status: `perMinute` requests, of which `errorFraction` answer 500. */
function statusSeries(perMinute: number, errorFraction: number, minutes: number): object[] {
  const errors = Math.round(perMinute * errorFraction);
  return [
    { series: `${metricNames.requests}{status="200",track="canary"}`, values: cumulative(steady(perMinute - errors, minutes)).join(' ') },
    { series: `${metricNames.requests}{status="500",track="canary"}`, values: cumulative(steady(errors, minutes)).join(' ') },
  ];
}

/** promtool tests for the error-rate alert: twice the objective sustained fires, half of it never does. */
export function errorRateAlertTests(ruleFile: string): object {
  const minutes = forMinutes * 3;
  const rule = errorRule();
  const above = slo.errorRate * 2;
  // humanizePercentage renders $value × 100 with Go's %.4g and a percent sign.
  const rendered = `${Number((above * 100).toPrecision(4))}%`;
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: `error rate at ${above * 100} % fires after ${forMinutes} m`,
        interval: '1m',
        input_series: statusSeries(1000, above, minutes),
        alert_rule_test: [
          { eval_time: `${forMinutes}m`, alertname: rule.alert, exp_alerts: [] },
          {
            eval_time: `${forMinutes + 1}m`,
            alertname: rule.alert,
            exp_alerts: [{
              exp_labels: rule.labels,
              exp_annotations: { ...rule.annotations, description: (rule.annotations['description'] ?? '').replace('{{ $value | humanizePercentage }}', rendered) },
            }],
          },
        ],
      },
      {
        name: `error rate at ${(slo.errorRate * 100) / 2} % never fires`,
        interval: '1m',
        input_series: statusSeries(1000, slo.errorRate / 2, minutes),
        alert_rule_test: [{ eval_time: `${minutes}m`, alertname: rule.alert, exp_alerts: [] }],
      },
    ],
  };
}
