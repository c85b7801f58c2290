/**
 * Prometheus alert rules for the inference service, as plain rule-group data.
 *
 * One list, two renderings: the observability component puts it into a PrometheusRule's `spec.groups`, and the
 * pipelines render the same list to a promtool rule file (`promtool check rules` / `promtool test rules`, the local
 * rehearsal's Prometheus). SLO thresholds come from policies/slo.ts and the PromQL from policies/queries.ts, so an
 * alert and the rollout gate can never disagree about what "p95" or "error rate" means.
 *
 * No cdktf imports here on purpose: plain data that any tool can read.
 */
import { slo, type DriftSlo } from '../../../policies/slo.js';
import {
  driftObservationCountQuery,
  driftPsiQuery,
  errorRateQuery,
  p95InterTokenLatencyQuery,
  p95LatencyQuery,
  p95TimeToFirstTokenQuery,
} from '../../../policies/queries.js';
import { metricNames } from '../../../services/inference/src/metrics/names.js';

/** One alerting rule, exactly as in a Prometheus rule file. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration the condition must hold, e.g. "5m". */
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A Prometheus rule group (`groups[]` of a rule file, `spec.groups[]` of a PrometheusRule). */
export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/**
 * Operational thresholds that are not service level objectives (capacity warnings, not promises to users),
 * so they live here rather than in policies/slo.ts. Sources: DCGM exporter field docs
 * (https://docs.nvidia.com/datacenter/dcgm/latest/dcgm-api/dcgm-api-field-ids.html).
 */
export const operationalThresholds = {
  /** Fraction of GPU frame-buffer memory in use that leaves no room for a larger batch. */
  gpuMemoryUsedFraction: 0.9,
  /** GPU utilization (percent) sustained above which the pool needs another node. */
  gpuUtilizationPercent: 90,
  /** Sustained window for the GPU warnings. */
  gpuFor: '15m',
  /** Container restarts over `restartWindow` that count as crash-looping. */
  restartCount: 3,
  restartWindow: '15m',
} as const;

/** Window the latency and error-rate expressions aggregate over; equals the alert's `for` duration. */
const sloWindow = `${slo.alertForMinutes}m`;

/** Container name of the service in the Deployments (stacks/components/inference). */
export const inferenceContainerName = 'inference';

function serviceRules(): AlertRule[] {
  const thresholdSeconds = slo.alertLatencyP95Ms / 1000;
  return [
    {
      alert: 'InferenceLatencyP95High',
      expr: `${p95LatencyQuery('', sloWindow)} > ${thresholdSeconds}`,
      for: sloWindow,
      labels: { severity: 'page' },
      annotations: {
        summary: `p95 inference latency above ${slo.alertLatencyP95Ms} ms for ${slo.alertForMinutes} minutes`,
        description: `p95 is {{ $value | humanizeDuration }}; the objective is ${slo.latencyP95Ms} ms (policies/slo.ts).`,
        runbook_url: 'docs/runbooks/rollback.md',
      },
    },
    {
      alert: 'InferenceErrorRateHigh',
      expr: `${errorRateQuery('', sloWindow)} > ${slo.errorRate}`,
      for: sloWindow,
      labels: { severity: 'page' },
      annotations: {
        summary: `More than ${slo.errorRate * 100} % of inference requests fail with 5xx`,
        description: 'Error rate is {{ $value | humanizePercentage }} over the last ' + sloWindow + '.',
        runbook_url: 'docs/runbooks/rollback.md',
      },
    },
    {
      alert: 'InferenceModelNotReady',
      // A version that is loaded but not ready for longer than the restart bound will not recover by itself.
      expr: `max by (namespace, pod, model, version) (${metricNames.modelReady}) == 0`,
      for: `${slo.restartWithinSeconds}s`,
      labels: { severity: 'page' },
      annotations: {
        summary: 'Model {{ $labels.model }} version {{ $labels.version }} not ready on {{ $labels.pod }}',
        description: `${metricNames.modelReady} has been 0 for ${slo.restartWithinSeconds} s.`,
      },
    },
    {
      alert: 'InferenceContainerRestarting',
      expr:
        `increase(kube_pod_container_status_restarts_total{container="${inferenceContainerName}"}` +
        `[${operationalThresholds.restartWindow}]) >= ${operationalThresholds.restartCount}`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Inference container {{ $labels.pod }} restarted {{ $value }} times in ' + operationalThresholds.restartWindow,
        description: 'Liveness failures or crashes; check the pod events and the last terminated state.',
      },
    },
    {
      alert: 'InferenceWorkerRestarts',
      expr: `increase(${metricNames.workerRestarts}[${operationalThresholds.restartWindow}]) >= ${operationalThresholds.restartCount}`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Inference worker threads on {{ $labels.pod }} keep dying',
        description: 'The worker pool replaced {{ $value }} workers in ' + operationalThresholds.restartWindow + '.',
      },
    },
  ];
}

/** Streaming objectives of generative models; the series exist only where a generative model is served. */
function generationRules(): AlertRule[] {
  const g = slo.generation;
  return [
    {
      alert: 'InferenceTimeToFirstTokenP95High',
      expr: `${p95TimeToFirstTokenQuery('', sloWindow)} > ${g.alertTtftP95Ms / 1000}`,
      for: sloWindow,
      labels: { severity: 'page' },
      annotations: {
        summary: `p95 time to first token above ${g.alertTtftP95Ms} ms for ${slo.alertForMinutes} minutes`,
        description: `TTFT p95 is {{ $value | humanizeDuration }}; the objective is ${g.ttftP95Ms} ms (policies/slo.ts). Long prompts queued behind a full KV cache show here first.`,
        runbook_url: 'docs/runbooks/rollback.md',
      },
    },
    {
      alert: 'InferenceInterTokenLatencyP95High',
      expr: `${p95InterTokenLatencyQuery('', sloWindow)} > ${g.alertItlP95Ms / 1000}`,
      for: sloWindow,
      labels: { severity: 'page' },
      annotations: {
        summary: `p95 inter-token latency above ${g.alertItlP95Ms} ms for ${slo.alertForMinutes} minutes`,
        description: `ITL p95 is {{ $value | humanizeDuration }}; the objective is ${g.itlP95Ms} ms (policies/slo.ts). Too many active sequences per replica, or prefill chunks too large.`,
        runbook_url: 'docs/runbooks/rollback.md',
      },
    },
  ];
}

/**
 * Input and output drift against each version's reference profile (src/drift); thresholds from slo.drift. The
 * parameter exists for the end-to-end test, which cannot wait an hour for a window to fill.
 */
function driftRules(drift: DriftSlo): AlertRule[] {
  const { psiAlert, windowMinutes, forMinutes, minObservations } = drift;
  const window = `${windowMinutes}m`;
  return [
    {
      alert: 'InferenceDataDrift',
      expr:
        `(${driftPsiQuery(window)}) > ${psiAlert}` +
        ` and on (model, version, feature) (${driftObservationCountQuery(window)}) >= ${minObservations}`,
      for: `${forMinutes}m`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Model {{ $labels.model }} version {{ $labels.version }}: {{ $labels.feature }} drifted from its reference profile',
        description:
          `Population stability index {{ $value | printf "%.2f" }} over the last ${window} (alert at ${psiAlert}, policies/slo.ts). ` +
          'Compare the live histogram with drift-profile.json; retrain or re-profile if the new traffic is the new normal.',
        runbook_url: 'docs/usage-and-drift.md',
      },
    },
  ];
}

function gpuRules(): AlertRule[] {
  const t = operationalThresholds;
  return [
    {
      alert: 'GpuMemoryNearlyFull',
      expr: `DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > ${t.gpuMemoryUsedFraction}`,
      for: t.gpuFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} uses {{ $value | humanizePercentage }} of its memory',
        description: 'Little frame-buffer memory left for larger batches or a second model version.',
      },
    },
    {
      alert: 'GpuUtilizationSaturated',
      expr: `avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL) > ${t.gpuUtilizationPercent}`,
      for: t.gpuFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} busy above ' + t.gpuUtilizationPercent + ' %',
        description: 'Sustained saturation: latency will follow. Raise the pool maximum or the HPA ceiling.',
      },
    },
  ];
}

/** The drift alert group, with the SLO's drift settings unless told otherwise. */
export function driftRuleGroup(drift: DriftSlo = slo.drift): AlertRuleGroup {
  return { name: 'inference-drift', rules: driftRules(drift) };
}

/** The service's alert rule groups; the PrometheusRule's `spec.groups` is exactly this list. */
export function alertRuleGroups(): AlertRuleGroup[] {
  return [
    { name: 'inference-slo', rules: serviceRules() },
    { name: 'inference-generation', rules: generationRules() },
    { name: 'inference-gpu', rules: gpuRules() },
    driftRuleGroup(),
  ];
}
