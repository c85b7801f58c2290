import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { slo } from '../../../policies/slo.js';
import { p95InterTokenLatencyQuery, p95LatencyQuery, p95TimeToFirstTokenQuery } from '../../../policies/queries.js';
import { alertRuleGroups, type AlertRule } from './alert-rules.js';

function rule(name: string): AlertRule {
  const found = alertRuleGroups().flatMap((g) => g.rules).find((r) => r.alert === name);
  if (!found) throw new Error(`no alert ${name}`);
  return found;
}

describe('alertRuleGroups', () => {
  it('alerts on p95 above the SLO alert threshold for the SLO duration, using the shared query', () => {
    const latency = rule('InferenceLatencyP95High');
    expect(latency.expr).toBe(`${p95LatencyQuery('', `${slo.alertForMinutes}m`)} > ${slo.alertLatencyP95Ms / 1000}`);
    expect(latency.for).toBe(`${slo.alertForMinutes}m`);
  });

  it('alerts on time to first token and inter-token latency of generative models, thresholds from the SLO file', () => {
    const window = `${slo.alertForMinutes}m`;
    expect(rule('InferenceTimeToFirstTokenP95High').expr).toBe(
      `${p95TimeToFirstTokenQuery('', window)} > ${slo.generation.alertTtftP95Ms / 1000}`,
    );
    expect(rule('InferenceTimeToFirstTokenP95High').expr).toContain('inference_generate_time_to_first_token_seconds_bucket');
    expect(rule('InferenceInterTokenLatencyP95High').expr).toBe(
      `${p95InterTokenLatencyQuery('', window)} > ${slo.generation.alertItlP95Ms / 1000}`,
    );
    expect(rule('InferenceInterTokenLatencyP95High').for).toBe(window);
  });

  it('alerts on the error rate objective', () => {
    expect(rule('InferenceErrorRateHigh').expr).toMatch(new RegExp(`> ${slo.errorRate}$`));
  });

  it('covers restarts, GPU memory and utilization from DCGM, and model readiness', () => {
    expect(rule('InferenceContainerRestarting').expr).toContain('kube_pod_container_status_restarts_total');
    expect(rule('GpuMemoryNearlyFull').expr).toContain('DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)');
    expect(rule('GpuUtilizationSaturated').expr).toContain('DCGM_FI_DEV_GPU_UTIL');
    expect(rule('InferenceModelNotReady').expr).toContain('inference_model_ready) == 0');
  });

  it('is a rule file promtool accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
    try {
      const file = join(dir, 'rules.yml');
      writeFileSync(file, stringify({ groups: alertRuleGroups() }));
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(out).toContain(`SUCCESS: ${alertRuleGroups().flatMap((g) => g.rules).length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
