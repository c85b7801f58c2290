import { describe, expect, it } from 'vitest';
import { markdownReport, type RolloutReport } from './report.js';

const report: RolloutReport = {
  outcome: 'rolled-back',
  failedAtPercent: 20,
  reason: 'verify failed: gate error rate 0.2 (needs < 0.01)',
  steps: [20, 100],
  windowSeconds: 20,
  shifter: 'HAProxy runtime API (/tmp/a.sock)',
  gateTool: 'node',
  startedAt: '2026-11-22T02:00:00.000Z',
  endedAt: '2026-11-22T02:00:23.000Z',
  phases: [
    {
      phase: 'verify', percent: 20, startedAt: '2026-11-22T02:00:00.000Z', endedAt: '2026-11-22T02:00:22.000Z', passed: false,
      gate: { tool: 'node', requests: 400, errorRate: 0.2, p95Ms: 41.25, checksRate: 0.8, failureSamples: [] },
      prometheus: { requests: 404, p95Ms: 30, errorRate: 0.21 },
      note: 'gate error rate 0.2 (needs < 0.01)',
    },
    { phase: 'rollback', percent: 20, startedAt: '2026-11-22T02:00:22.000Z', endedAt: '2026-11-22T02:00:23.000Z', passed: true, note: 'canary weight 0 %' },
  ],
};

describe('rollout report', () => {
  it('says where it rolled back, why, and shows both sides figures per phase', () => {
    const md = markdownReport(report);
    expect(md).toContain('# Rollout: rolled back at the 20 % step');
    expect(md).toContain('- Reason: verify failed: gate error rate 0.2 (needs < 0.01)');
    expect(md).toContain('| verify | 20 % | 02:00:00 | 02:00:22 | 400 req, p95 41.3 ms, err 20.00 %, checks 80.00 % | 404 req, p95 30.0 ms, err 21.00 % | **fail** |');
    expect(md).toContain('| rollback | 20 % | 02:00:22 | 02:00:23 |  |  | pass | canary weight 0 % |');
  });
});
