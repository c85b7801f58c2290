import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { slo } from '../../policies/slo.js';
import { renderRuleFile } from './render-rules.js';
import {
  errorRateAlertTests,
  histogramAlertTests,
  interTokenLatencyAlert,
  latencyAlertTests,
  scenarioBuckets,
  scenarioBucketsOf,
  timeToFirstTokenAlert,
} from './rule-tests.js';
import { driftAlertTests, driftScenarios } from './drift-rule-tests.js';

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'promtool-'));
  await writeFile(join(dir, 'rules.yml'), renderRuleFile());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: dir });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('alert rules under real promtool', () => {
  it('the rendered rule file passes `promtool check rules`', async () => {
    const result = await promtool(['check', 'rules', 'rules.yml']);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
  });

  it('scenarios straddle the threshold from policies/slo.ts', () => {
    expect(scenarioBuckets.edgeBucket * 1000).toBe(slo.alertLatencyP95Ms);
    expect(scenarioBuckets.slowBucket * 1000).toBeGreaterThan(slo.alertLatencyP95Ms);
    expect(scenarioBuckets.fastBucket * 1000).toBeLessThanOrEqual(slo.latencyP95Ms);
  });

  it('`promtool test rules`: p95 alert fires after the sustained duration, not below, not for a burst', async () => {
    await writeFile(join(dir, 'latency.test.yml'), stringify(latencyAlertTests('rules.yml')));
    const result = await promtool(['test', 'rules', 'latency.test.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it.each([timeToFirstTokenAlert, interTokenLatencyAlert])(
    '`promtool test rules`: $alert fires after the sustained duration, not at the threshold, not for a burst',
    async (spec) => {
      const buckets = scenarioBucketsOf(spec);
      expect(buckets.edgeBucket).toBe(spec.thresholdSeconds);
      expect(buckets.slowBucket).toBeGreaterThan(spec.thresholdSeconds);
      await writeFile(join(dir, `${spec.alert}.test.yml`), stringify(histogramAlertTests(spec, 'rules.yml')));
      const result = await promtool(['test', 'rules', `${spec.alert}.test.yml`]);
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
    },
  );

  it('`promtool test rules`: the error-rate alert fires at twice the objective sustained, never at half of it', async () => {
    await writeFile(join(dir, 'errors.test.yml'), stringify(errorRateAlertTests('rules.yml')));
    const result = await promtool(['test', 'rules', 'errors.test.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('drift scenarios straddle slo.drift.psiAlert: reference-like traffic well under, the shifted sample well over', () => {
    const { referencePsi, shiftedPsi } = driftScenarios();
    for (const psi of Object.values(referencePsi)) expect(psi).toBeLessThan(slo.drift.psiAlert / 2);
    expect(shiftedPsi['input_ids.values']).toBeGreaterThan(slo.drift.psiAlert * 2);
    expect(shiftedPsi['input_ids.nonzero_per_row']).toBeGreaterThan(slo.drift.psiAlert * 2);
  });

  it('`promtool test rules`: the drift alert fires on the shifted sample after `for`, never on the reference or on too few requests', async () => {
    await writeFile(join(dir, 'drift.test.yml'), stringify(driftAlertTests('rules.yml')));
    const result = await promtool(['test', 'rules', 'drift.test.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('`promtool test rules` fails when the expectation is wrong, so the pass above means something', async () => {
    const tests = latencyAlertTests('rules.yml') as { tests: { alert_rule_test: { exp_alerts: unknown[] }[] }[] };
    const below = tests.tests[1]?.alert_rule_test[0];
    if (!below) throw new Error('test layout changed');
    below.exp_alerts = [{ exp_labels: { severity: 'page' } }];
    await writeFile(join(dir, 'wrong.test.yml'), stringify(tests));
    const result = await promtool(['test', 'rules', 'wrong.test.yml']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });
});
