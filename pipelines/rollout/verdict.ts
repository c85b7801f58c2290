/**
 * The gate's decision rule, as a pure function of figures: the client-side gate (k6 or the Node generator) and the
 * server-side canary analysis (Prometheus) must both meet the SLO, each over at least the minimum request count;
 * with a generative model, both must also see enough streams with a TTFT p95 inside the objective.
 * Same comparisons as the k6 thresholds (strict `<` for p95 and error rate, `>` for checks).
 */
import { slo as defaultSlo, type Slo } from '../../policies/slo.js';
import type { GateFigures } from './gate/types.js';

/** The canary's figures from Prometheus over a step window (track="canary"). */
export interface CanaryFigures {
  readonly requests: number | undefined;
  readonly p95Ms: number | undefined;
  readonly errorRate: number | undefined;
  /** Streams that got a first token, and their TTFT p95, for a generative target. */
  readonly generation?: { readonly streams: number | undefined; readonly ttftP95Ms: number | undefined };
}

export interface Check {
  readonly source: 'gate' | 'prometheus';
  readonly figure:
    | 'requests'
    | 'p95 ms'
    | 'error rate'
    | 'checks rate'
    | 'streams'
    | 'ttft p95 ms'
    | 'stream error rate'
    | 'stream checks rate';
  readonly value: number | undefined;
  /** The rule, e.g. "< 200". */
  readonly rule: string;
  readonly ok: boolean;
}

export interface Verdict {
  readonly passed: boolean;
  readonly checks: readonly Check[];
}

type Rule = { readonly op: '<' | '>' | '>='; readonly limit: number };

function check(source: Check['source'], figure: Check['figure'], value: number | undefined, rule: Rule): Check {
  const ok =
    value !== undefined &&
    (rule.op === '<' ? value < rule.limit : rule.op === '>' ? value > rule.limit : value >= rule.limit);
  return { source, figure, value, rule: `${rule.op} ${rule.limit}`, ok };
}

export function judge(gate: GateFigures, canary: CanaryFigures, s: Slo = defaultSlo): Verdict {
  const checks: Check[] = [
    check('gate', 'requests', gate.requests, { op: '>=', limit: s.gateMinRequests }),
    check('gate', 'p95 ms', gate.p95Ms, { op: '<', limit: s.latencyP95Ms }),
    check('gate', 'error rate', gate.errorRate, { op: '<', limit: s.errorRate }),
    check('gate', 'checks rate', gate.checksRate, { op: '>', limit: s.checksRate }),
    check('prometheus', 'requests', canary.requests, { op: '>=', limit: s.gateMinRequests }),
    check('prometheus', 'p95 ms', canary.p95Ms, { op: '<', limit: s.latencyP95Ms }),
    check('prometheus', 'error rate', canary.errorRate, { op: '<', limit: s.errorRate }),
  ];
  // A generative target is judged on its streams too: the gate's own, and the canary's TTFT histogram.
  if (gate.stream) {
    const g = s.generation;
    checks.push(
      check('gate', 'streams', gate.stream.streams, { op: '>=', limit: g.gateMinStreams }),
      check('gate', 'ttft p95 ms', gate.stream.ttftP95Ms, { op: '<', limit: g.ttftP95Ms }),
      check('gate', 'stream error rate', gate.stream.errorRate, { op: '<', limit: s.errorRate }),
      check('gate', 'stream checks rate', gate.stream.checksRate, { op: '>', limit: s.checksRate }),
      check('prometheus', 'streams', canary.generation?.streams, { op: '>=', limit: g.gateMinStreams }),
      check('prometheus', 'ttft p95 ms', canary.generation?.ttftP95Ms, { op: '<', limit: g.ttftP95Ms }),
    );
  }
  return { passed: checks.every((c) => c.ok), checks };
}

/** One line naming what failed, for progress output and the report. */
export function describeFailures(verdict: Verdict): string {
  const failed = verdict.checks.filter((c) => !c.ok);
  if (failed.length === 0) return 'all checks passed';
  return failed
    .map((c) => `${c.source} ${c.figure} ${c.value === undefined ? 'has no data' : round(c.value)} (needs ${c.rule})`)
    .join('; ');
}

function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}
