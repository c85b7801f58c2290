import { describe, expect, it } from 'vitest';
import { slo } from '../../policies/slo.js';
import { canaryProfiles, parseRehearsalArgs } from './options.js';

describe('rehearsal command line', () => {
  it('expects a promotion for a healthy canary and a rollback for slow or failing ones', () => {
    expect(parseRehearsalArgs([]).expect).toBe('promote');
    expect(parseRehearsalArgs(['--canary=slow']).expect).toBe('rollback');
    expect(parseRehearsalArgs(['--canary=failing']).expect).toBe('rollback');
    expect(parseRehearsalArgs(['--canary=slow', '--expect=promote']).expect).toBe('promote');
  });

  it('injects faults that clearly breach the SLO, through the service fault settings', () => {
    expect(Number(canaryProfiles.slow.env.FAULT_DELAY_MS)).toBeGreaterThan(slo.latencyP95Ms);
    expect(Number(canaryProfiles.failing.env.FAULT_ERROR_RATE)).toBeGreaterThan(slo.errorRate * 10);
    expect(canaryProfiles.healthy.env).toEqual({});
  });

  it('refuses bad values naming the flag, including a gate that could never reach the minimum request count', () => {
    expect(() => parseRehearsalArgs(['--canary=flaky'])).toThrow(/--canary must be one of healthy, slow, failing, got "flaky"/);
    expect(() => parseRehearsalArgs(['--expect=maybe'])).toThrow(/--expect must be promote or rollback/);
    expect(() => parseRehearsalArgs(['--window=0'])).toThrow(/--window must be a positive number/);
    expect(() => parseRehearsalArgs(['--window=2', '--gate-rate=10'])).toThrow(/fewer than slo.gateMinRequests/);
    expect(() => parseRehearsalArgs(['--window=5', '--gate-rate=50'])).toThrow(/gives the gate 11 streams, fewer than slo.generation.gateMinStreams \(20\)/);
  });

  it('streams to the bundled demo LLM unless --generate-model names another or none', () => {
    expect(parseRehearsalArgs([]).generateModel).toBe('demo-llm');
    expect(parseRehearsalArgs(['--generate-model=']).generateModel).toBe('');
    expect(parseRehearsalArgs(['--window=5', '--gate-rate=50', '--generate-model=']).windowSeconds).toBe(5);
  });
});
