/**
 * End to end on this machine: the real service (two instances), Redis, HAProxy, Prometheus and the rollout driver.
 * Only the failing canary runs here: its outcome depends on injected errors, not on how fast a busy 2-core test
 * machine answers; the healthy and slow runs are timing-sensitive and recorded by hand in docs/rehearsal/.
 */
import { describe, expect, it } from 'vitest';
import { slo } from '../../policies/slo.js';
import { ProcessGroup } from '../lib/processes.js';
import { parseRehearsalArgs } from './options.js';
import { rehearse } from './rehearse.js';

describe('rehearsal', () => {
  it('rolls a failing canary back at the first step with under 1 % of client requests failed, and stops everything', async () => {
    const lines: string[] = [];
    const group = new ProcessGroup();
    const options = parseRehearsalArgs(['--canary=failing', '--window=10', '--gate-rate=25', '--client-rate=10']);
    const result = await rehearse(options, (line) => lines.push(line), group);
    expect(result.rollout.outcome).toBe('rolled-back');
    expect(result.rollout.failedAtPercent).toBe(slo.canarySteps[0]);
    expect(result.rollout.reason).toMatch(/error rate/);
    expect(result.clients.requests).toBeGreaterThan(50);
    expect(result.clients.failedFraction).toBeLessThan(slo.errorRate);
    expect(result.passed).toBe(true);
    // The gate also streamed to the demo LLM through the gateway, and Prometheus answered the TTFT queries.
    const measured = result.rollout.phases.find((p) => p.gate !== undefined);
    expect(measured?.gate?.stream?.streams).toBeGreaterThanOrEqual(slo.generation.gateMinStreams);
    expect(measured?.gate?.stream?.ttftP95Ms).toBeGreaterThan(0);
    // Tokens arrive one by one through HAProxy (option http-no-delay), not merged into one write at the end.
    expect(measured?.gate?.stream?.itlP95Ms).toBeGreaterThan(0);
    expect(measured?.prometheus?.generation?.streams).toBeGreaterThan(0);
    expect(measured?.verdict?.checks.map((c) => `${c.source} ${c.figure}`)).toContain('prometheus ttft p95 ms');
    // Everything the rehearsal started has exited.
    expect([...group.status().started].sort()).toEqual(['haproxy', 'inference-canary', 'inference-stable', 'prometheus', 'redis']);
    expect(group.status().running).toEqual([]);
    expect(lines.some((l) => l.includes('kept'))).toBe(false);
  }, 120_000);
});
