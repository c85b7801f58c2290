/**
 * promtool unit tests for the SLO alerts, generated from policies/slo.ts and the metric contract, so that the
 * proof ("the p95 alert fires when p95 stays above the threshold for the alert duration, and not below it, and not
 * for a shorter burst") follows the SLO when it changes.
 *
 * Input series are cumulative histogram buckets, one sample per minute, built from per-minute request counts in a
 * "fast" bucket (well under the objective) and a "slow" bucket (just above the alert threshold).
 */
import { slo } from '../../policies/slo.js';
import { latencyBucketsSeconds, metricNames } from '../../services/inference/src/metrics/names.js';
import { alertRuleGroups, type AlertRule } from '../../stacks/components/observability/alert-rules.js';

/** Observations per minute of each kind, for each minute of a scenario. */
interface Traffic {
  readonly fast: readonly number[];
  readonly slow: readonly number[];
}

const thresholdSeconds = slo.alertLatencyP95Ms / 1000;
const forMinutes = slo.alertForMinutes;

/** Upper bound of the bucket fast requests land in: the objective itself. */
const fastBucket = slo.latencyP95Ms / 1000;
/** Upper bound of the first bucket above the alert threshold: slow requests land there. */
const slowBucket = latencyBucketsSeconds.find((le) => le > thresholdSeconds) ?? Number.POSITIVE_INFINITY;
/** The bucket ending exactly at the threshold: requests there are slow but not slow enough to alert. */
const edgeBucket = thresholdSeconds;

function cumulative(perMinute: readonly number[]): number[] {
  let total = 0;
  return [0, ...perMinute.map((n) => (total += n))];
}

/** One input series per bucket bound, each the cumulative count of observations at or under it. */
function bucketSeries(kinds: readonly { readonly le: number; readonly perMinute: readonly number[] }[]): object[] {
  const bounds = [...latencyBucketsSeconds.map(String), '+Inf'];
  return bounds.map((bound) => {
    const le = bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound);
    const minutes = kinds[0]?.perMinute.length ?? 0;
    const counts = Array.from({ length: minutes }, (_, m) =>
      kinds.reduce((sum, k) => sum + (k.le <= le ? (k.perMinute[m] ?? 0) : 0), 0),
    );
    return {
      series: `${metricNames.requestDuration}_bucket{le="${bound}",track="canary"}`,
      values: cumulative(counts).join(' '),
    };
  });
}

function latencyRule(): AlertRule {
  const rule = alertRuleGroups().flatMap((g) => g.rules).find((r) => r.alert === 'InferenceLatencyP95High');
  if (!rule) throw new Error('alert InferenceLatencyP95High is missing from alertRuleGroups()');
  return rule;
}

/** The firing alert as promtool reports it, with `$value` rendered the way humanizeDuration renders it. */
function expectedLatencyAlert(p95Seconds: number): object {
  const rule = latencyRule();
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
function interpolatedP95(upper: number): number {
  const index = latencyBucketsSeconds.indexOf(upper);
  const lower = index > 0 ? (latencyBucketsSeconds[index - 1] ?? 0) : 0;
  return lower + (upper - lower) * 0.95;
}

const steady = (perMinute: number, minutes: number): number[] => Array.from({ length: minutes }, () => perMinute);

/** The promtool test file (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/). */
export function latencyAlertTests(ruleFile: string): object {
  const minutes = forMinutes * 3;
  const sustained: Traffic = { fast: steady(0, minutes), slow: steady(60, minutes) };
  const burstMinutes = forMinutes - 2;
  // A burst shorter than `for`, then fast traffic heavy enough that slow requests fall under 5 % of the window.
  const burst: Traffic = {
    fast: [...steady(0, burstMinutes), ...steady(6000, minutes - burstMinutes)],
    slow: [...steady(60, burstMinutes), ...steady(0, minutes - burstMinutes)],
  };
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: `p95 just above ${slo.alertLatencyP95Ms} ms for longer than ${forMinutes} m fires, not before`,
        interval: '1m',
        input_series: bucketSeries([{ le: slowBucket, perMinute: sustained.slow }]),
        alert_rule_test: [
          // rate() needs two samples, so the condition holds from minute 1; `for` counts from there.
          { eval_time: `${forMinutes}m`, alertname: latencyRule().alert, exp_alerts: [] },
          { eval_time: `${forMinutes + 1}m`, alertname: latencyRule().alert, exp_alerts: [expectedLatencyAlert(interpolatedP95(slowBucket))] },
          { eval_time: `${minutes}m`, alertname: latencyRule().alert, exp_alerts: [expectedLatencyAlert(interpolatedP95(slowBucket))] },
        ],
      },
      {
        name: `p95 just below ${slo.alertLatencyP95Ms} ms never fires`,
        interval: '1m',
        input_series: bucketSeries([{ le: edgeBucket, perMinute: steady(60, minutes) }]),
        alert_rule_test: [{ eval_time: `${minutes}m`, alertname: latencyRule().alert, exp_alerts: [] }],
      },
      {
        name: `a ${burstMinutes}-minute burst above the threshold never fires`,
        interval: '1m',
        input_series: bucketSeries([
          { le: fastBucket, perMinute: burst.fast },
          { le: slowBucket, perMinute: burst.slow },
        ]),
        alert_rule_test: Array.from({ length: minutes }, (_, m) => ({
          eval_time: `${m + 1}m`,
          alertname: latencyRule().alert,
          exp_alerts: [],
        })),
      },
    ],
  };
}

/** Exposed for tests: the bucket bounds the scenarios use. */
export const scenarioBuckets = { fastBucket, edgeBucket, slowBucket } as const;

function errorRule(): AlertRule {
  const rule = alertRuleGroups().flatMap((g) => g.rules).find((r) => r.alert === 'InferenceErrorRateHigh');
  if (!rule) throw new Error('alert InferenceErrorRateHigh is missing from alertRuleGroups()');
  return rule;
}

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
