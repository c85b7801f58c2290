import { describe, expect, it } from 'vitest';
import { checkStacks, ruleIds } from '../check.js';
import { at, compliantJson, toStacks } from '../fixtures/stacks.js';
import { parseWaivers, WaiverFileError } from '../waivers.js';

function withoutPdb() {
  const f = compliantJson();
  delete at(f.inference, 'resource')['kubernetes_pod_disruption_budget_v1'];
  return toStacks(f);
}

const waiverYaml = (expires: string, resource = 'inference-staging/kubernetes_deployment_v1.stable'): string =>
  `waivers:\n  - rule: rollout.pod-disruption-budget\n    resource: ${resource}\n    reason: single-node staging pool (OPS-1)\n    expires: ${expires}\n`;

describe('waivers', () => {
  it('an unexpired waiver turns the matching failure into waived, with its reason', () => {
    const waivers = parseWaivers(waiverYaml('2026-12-31'), 'w.yaml', ruleIds());
    const report = checkStacks(withoutPdb(), { waivers, date: '2026-12-31' });
    expect(report.summary.fail).toBe(0);
    const waived = report.results.filter((r) => r.outcome === 'waived');
    expect(waived.map((r) => [r.rule, r.resource, r.waiver?.reason])).toEqual([['rollout.pod-disruption-budget', 'kubernetes_deployment_v1.stable', 'single-node staging pool (OPS-1)']]);
  });

  it('the day after expiry the waiver no longer applies and is itself a violation', () => {
    const waivers = parseWaivers(waiverYaml('2026-12-31'), 'w.yaml', ruleIds());
    const report = checkStacks(withoutPdb(), { waivers, date: '2027-01-01' });
    expect(report.results.filter((r) => r.outcome === 'fail').map((r) => r.rule).sort()).toEqual(['rollout.pod-disruption-budget', 'waiver.expired']);
    expect(report.results.find((r) => r.rule === 'waiver.expired')?.message).toBe('waiver for rollout.pod-disruption-budget expired on 2026-12-31 (single-node staging pool (OPS-1))');
  });

  it('an expired waiver fails even when nothing violates its rule any more', () => {
    const waivers = parseWaivers(waiverYaml('2020-01-01'), 'w.yaml', ruleIds());
    const report = checkStacks(toStacks(compliantJson()), { waivers, date: '2026-06-01' });
    expect(report.results.filter((r) => r.outcome === 'fail').map((r) => r.rule)).toEqual(['waiver.expired']);
  });

  it('matches plain addresses across stacks and * wildcards, but not other rules or resources', () => {
    const any = parseWaivers(waiverYaml('2030-01-01', 'kubernetes_deployment_v1.*'), 'w.yaml');
    expect(checkStacks(withoutPdb(), { waivers: any, date: '2026-01-01' }).summary.fail).toBe(0);
    const other = parseWaivers(waiverYaml('2030-01-01', 'inference-prod/kubernetes_deployment_v1.stable'), 'w.yaml');
    expect(checkStacks(withoutPdb(), { waivers: other, date: '2026-01-01' }).summary.fail).toBe(1);
  });

  it('accepts JSON and an empty file', () => {
    const json = JSON.stringify({ waivers: [{ rule: 'pss.seccomp', resource: 'x', reason: 'r', expires: '2030-01-01' }] });
    expect(parseWaivers(json, 'w.json', ruleIds())).toHaveLength(1);
    expect(parseWaivers('', 'w.yaml')).toEqual([]);
  });

  const malformed: [string, string, RegExp][] = [
    ['not YAML', 'waivers: [unclosed', /w.yaml: not valid YAML\/JSON/],
    ['not a list', 'waivers: 3', /expected a list under "waivers"/],
    ['missing reason', 'waivers:\n  - rule: pss.seccomp\n    resource: x\n    expires: 2030-01-01', /waiver 1: "reason" is required/],
    ['bad date', waiverYaml('31.12.2026'), /expires "31.12.2026" is not a date in YYYY-MM-DD form/],
    ['impossible date', waiverYaml('2026-02-30'), /expires "2026-02-30" is not a date/],
    ['unknown rule', waiverYaml('2030-01-01').replace('rollout.pod-disruption-budget', 'rollout.nope'), /unknown rule id "rollout.nope"/],
    ['unknown field', `${waiverYaml('2030-01-01')}    owner: me\n`, /unknown field\(s\) owner/],
  ];
  for (const [name, text, message] of malformed) {
    it(`rejects a malformed file: ${name}`, () => {
      expect(() => parseWaivers(text, 'w.yaml', ruleIds())).toThrow(WaiverFileError);
      expect(() => parseWaivers(text, 'w.yaml', ruleIds())).toThrow(message);
    });
  }
});
