/**
 * promtool unit tests for the drift alert, built from the demo encoder's shipped reference profile
 * (services/inference/models/demo/1/drift-profile.json) and the seeded demo samples (npm run drift-sample), binned
 * with the service's own feature code (src/drift). So the proof is about real profile bins and real traffic shapes:
 * reference-like traffic stays quiet, the shifted sample fires once `for` has passed, and a handful of shifted
 * requests (fewer than slo.drift.minObservations) stays quiet too.
 */
import { readFileSync } from 'node:fs';
import { slo } from '../../policies/slo.js';
import { psiEpsilon } from '../../policies/queries.js';
import { featureValues } from '../../services/inference/src/drift/features.js';
import { binOf, type DriftFeature, type DriftProfile } from '../../services/inference/src/drift/profile.js';
import { metricNames } from '../../services/inference/src/metrics/names.js';
import { demoSample } from '../../services/inference/scripts/drift/demo-sample.js';
import type { HostTensor } from '../../services/inference/src/protocol/types.js';
import { alertRuleGroups, type AlertRule } from '../../stacks/components/observability/alert-rules.js';

export const demoProfilePath = new URL('../../services/inference/models/demo/1/drift-profile.json', import.meta.url);

export function demoProfile(): DriftProfile {
  return JSON.parse(readFileSync(demoProfilePath, 'utf8')) as DriftProfile;
}

/** Input features only: the promtool scenarios feed request inputs (outputs would need the model). */
const inputFeatures = (profile: DriftProfile): DriftFeature[] => profile.features.filter((f) => f.kind !== 'output_argmax');

/** Per-bin counts of a sample's requests for `feature`, binned exactly as the service bins live traffic. */
export function binCounts(feature: DriftFeature, requests: readonly { inputs: HostTensor[] }[]): number[] {
  const counts = new Array<number>(feature.edges.length + 1).fill(0);
  for (const request of requests) {
    const tensor = request.inputs.find((t) => t.name === feature.tensor);
    if (tensor) featureValues(feature.kind, tensor, (v) => (counts[binOf(feature.edges, v)] = (counts[binOf(feature.edges, v)] ?? 0) + 1));
  }
  return counts;
}

/** The PSI the rule computes for these counts against the reference (same floor, same formula). */
export function psiOf(counts: readonly number[], reference: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((sum, c, i) => {
    const p = Math.max(c / total, psiEpsilon);
    const q = Math.max(reference[i] ?? 0, psiEpsilon);
    return sum + (p - q) * Math.log(p / q);
  }, 0);
}

function sampleRequests(count: number, seed: number, shifted: boolean): Array<{ inputs: HostTensor[] }> {
  return demoSample({ count, seed, shifted })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { inputs: HostTensor[] });
}

export function driftRule(): AlertRule {
  const rule = alertRuleGroups().flatMap((g) => g.rules).find((r) => r.alert === 'InferenceDataDrift');
  if (!rule) throw new Error('alert InferenceDataDrift is missing from alertRuleGroups()');
  return rule;
}

/** Input series: each bin's reference gauge, and its counter growing by `perMinute[bin]` for `activeMinutes`. */
function series(profile: DriftProfile, perMinute: (f: DriftFeature) => number[], minutes: number, activeMinutes = minutes): object[] {
  return inputFeatures(profile).flatMap((feature) => {
    const counts = perMinute(feature);
    return feature.reference.flatMap((q, bin) => {
      const labels = `model="${profile.model}",version="${profile.version}",feature="${feature.name}",bin="${bin}"`;
      const c = counts[bin] ?? 0;
      const idle = minutes - activeMinutes;
      return [
        { series: `${metricNames.driftReference}{${labels}}`, values: `${q}+0x${minutes}` },
        { series: `${metricNames.driftObservations}{${labels}}`, values: `0+${c}x${activeMinutes}${idle > 0 ? ` ${c * activeMinutes}+0x${idle}` : ''}` },
      ];
    });
  });
}

/** Scenario figures, exposed so the test can show the PSIs straddle the threshold. */
export function driftScenarios(requestsPerMinute = 500) {
  const profile = demoProfile();
  const reference = sampleRequests(requestsPerMinute, 7, false);
  const shifted = sampleRequests(requestsPerMinute, 3, true);
  const psi = (requests: typeof reference) =>
    Object.fromEntries(inputFeatures(profile).map((f) => [f.name, psiOf(binCounts(f, requests), f.reference)]));
  return { profile, reference, shifted, referencePsi: psi(reference), shiftedPsi: psi(shifted) };
}

export function driftAlertTests(ruleFile: string): object {
  const { psiAlert, forMinutes, minObservations } = slo.drift;
  const { profile, reference, shifted, shiftedPsi } = driftScenarios();
  const minutes = forMinutes + 10;
  const rule = driftRule();
  const firing = Object.entries(shiftedPsi)
    .filter(([, psi]) => psi > psiAlert)
    .map(([feature, psi]) => ({
      exp_labels: { ...rule.labels, model: profile.model, version: String(profile.version), feature },
      exp_annotations: {
        ...rule.annotations,
        summary: (rule.annotations['summary'] ?? '')
          .replace('{{ $labels.model }}', profile.model)
          .replace('{{ $labels.version }}', String(profile.version))
          .replace('{{ $labels.feature }}', feature),
        description: (rule.annotations['description'] ?? '').replace('{{ $value | printf "%.2f" }}', psi.toFixed(2)) },
    }));
  if (firing.length === 0) throw new Error('the shifted demo sample no longer drifts any feature past slo.drift.psiAlert');
  const few = shifted.slice(0, 1);
  const fewestPerMinute = Math.min(...inputFeatures(profile).map((f) => binCounts(f, few).reduce((a, b) => a + b, 0)));
  const fewMinutes = Math.max(1, Math.floor((minObservations - 1) / Math.max(...inputFeatures(profile).map((f) => binCounts(f, few).reduce((a, b) => a + b, 0)))));
  if (fewestPerMinute * fewMinutes >= minObservations) throw new Error('the "too few observations" scenario is not below slo.drift.minObservations');
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'traffic like the reference sample never fires',
        interval: '1m',
        input_series: series(profile, (f) => binCounts(f, reference), minutes),
        alert_rule_test: [forMinutes + 1, minutes].map((m) => ({ eval_time: `${m}m`, alertname: rule.alert, exp_alerts: [] })),
      },
      {
        name: `the shifted sample fires for every feature past PSI ${psiAlert} after ${forMinutes} m, not before`,
        interval: '1m',
        input_series: series(profile, (f) => binCounts(f, shifted), minutes),
        alert_rule_test: [
          // increase() needs two samples, so the condition holds from minute 1; `for` counts from there.
          { eval_time: `${forMinutes}m`, alertname: rule.alert, exp_alerts: [] },
          { eval_time: `${forMinutes + 1}m`, alertname: rule.alert, exp_alerts: firing },
          { eval_time: `${minutes}m`, alertname: rule.alert, exp_alerts: firing },
        ],
      },
      {
        name: `shifted traffic of fewer than ${minObservations} observations per window never fires`,
        interval: '1m',
        input_series: series(profile, (f) => binCounts(f, few), minutes, fewMinutes),
        alert_rule_test: [forMinutes + 1, minutes].map((m) => ({ eval_time: `${m}m`, alertname: rule.alert, exp_alerts: [] })),
      },
    ],
  };
}
