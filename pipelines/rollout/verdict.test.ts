import { describe, expect, it } from 'vitest';
import { slo } from '../../policies/slo.js';
import type { GateFigures } from './gate/types.js';
import { describeFailures, judge, type CanaryFigures } from './verdict.js';

const goodGate: GateFigures = { tool: 'node', requests: slo.gateMinRequests, errorRate: 0, p95Ms: 12, checksRate: 1, failureSamples: [] };
const goodCanary: CanaryFigures = { requests: slo.gateMinRequests, p95Ms: 9.5, errorRate: 0 };

describe('canary verdict', () => {
  it('passes when gate and Prometheus both meet the SLO with enough requests', () => {
    const verdict = judge(goodGate, goodCanary);
    expect(verdict.passed).toBe(true);
    expect(verdict.checks).toHaveLength(7);
    expect(describeFailures(verdict)).toBe('all checks passed');
  });

  it('fails a slow canary on p95 at the SLO value itself (strictly below is required)', () => {
    const verdict = judge({ ...goodGate, p95Ms: slo.latencyP95Ms }, goodCanary);
    expect(verdict.passed).toBe(false);
    expect(describeFailures(verdict)).toBe(`gate p95 ms ${slo.latencyP95Ms} (needs < ${slo.latencyP95Ms})`);
  });

  it('fails on the server-side error rate even when the client side looked fine', () => {
    const verdict = judge(goodGate, { ...goodCanary, errorRate: slo.errorRate * 2 });
    expect(describeFailures(verdict)).toBe(`prometheus error rate ${slo.errorRate * 2} (needs < ${slo.errorRate})`);
  });

  it('fails a window with too few requests or no data: a threshold over nothing proves nothing', () => {
    const verdict = judge({ ...goodGate, requests: slo.gateMinRequests - 1 }, { requests: undefined, p95Ms: undefined, errorRate: undefined });
    expect(verdict.passed).toBe(false);
    expect(describeFailures(verdict)).toContain(`gate requests ${slo.gateMinRequests - 1} (needs >= ${slo.gateMinRequests})`);
    expect(describeFailures(verdict)).toContain('prometheus p95 ms has no data');
  });

  describe('with a generative model', () => {
    const g = slo.generation;
    const stream = { streams: g.gateMinStreams, errorRate: 0, ttftP95Ms: 40, itlP95Ms: 8, checksRate: 1 };
    const canary: CanaryFigures = { ...goodCanary, generation: { streams: g.gateMinStreams, ttftP95Ms: 35 } };

    it('also judges streams and TTFT, from the gate and from Prometheus', () => {
      const verdict = judge({ ...goodGate, stream }, canary);
      expect(verdict.passed).toBe(true);
      expect(verdict.checks.filter((c) => c.figure === 'ttft p95 ms').map((c) => c.source)).toEqual(['gate', 'prometheus']);
      expect(verdict.checks).toHaveLength(13);
    });

    it('fails a canary whose first token comes at the objective itself, on either side', () => {
      expect(describeFailures(judge({ ...goodGate, stream: { ...stream, ttftP95Ms: g.ttftP95Ms } }, canary))).toBe(
        `gate ttft p95 ms ${g.ttftP95Ms} (needs < ${g.ttftP95Ms})`,
      );
      expect(describeFailures(judge({ ...goodGate, stream }, { ...canary, generation: { streams: 50, ttftP95Ms: 480 } }))).toBe(
        `prometheus ttft p95 ms 480 (needs < ${g.ttftP95Ms})`,
      );
    });

    it('fails when Prometheus saw no streams, or streams failed their checks', () => {
      expect(describeFailures(judge({ ...goodGate, stream }, goodCanary))).toBe(
        `prometheus streams has no data (needs >= ${g.gateMinStreams}); prometheus ttft p95 ms has no data (needs < ${g.ttftP95Ms})`,
      );
      expect(judge({ ...goodGate, stream: { ...stream, checksRate: 0.5 } }, canary).passed).toBe(false);
    });

    it('leaves the verdict of a target without a generative model as it was', () => {
      expect(judge(goodGate, canary).checks).toHaveLength(7);
    });
  });

  it('fails when the answers do not mean what they should (checks rate)', () => {
    expect(judge({ ...goodGate, checksRate: slo.checksRate }, goodCanary).passed).toBe(false);
  });
});
