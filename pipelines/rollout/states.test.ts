import { describe, expect, it } from 'vitest';
import { slo } from '../../policies/slo.js';
import { initialState, nextState, validateSteps, type RolloutState } from './states.js';

/** Runs the machine with the given phase outcomes and returns the phases visited. */
function walk(outcomes: boolean[], steps = 2, verify = true): string[] {
  let state: RolloutState = initialState(verify);
  const visited = [`${state.phase}:${state.step}`];
  for (const passed of outcomes) {
    state = nextState(state, passed, steps);
    visited.push(`${state.phase}:${state.step}`);
  }
  return visited;
}

describe('rollout state machine', () => {
  it('all passing: verify, then shift and observe each step, then promote', () => {
    expect(walk([true, true, true, true, true, true])).toEqual([
      'verify:0', 'shift:0', 'observe:0', 'shift:1', 'observe:1', 'promote:1', 'promoted:1',
    ]);
  });

  it('a failed verify rolls back before any client traffic moved', () => {
    expect(walk([false, true])).toEqual(['verify:0', 'rollback:0', 'rolled-back:0']);
  });

  it('a failed observation at the first step rolls back at that step', () => {
    expect(walk([true, true, false, true])).toEqual(['verify:0', 'shift:0', 'observe:0', 'rollback:0', 'rolled-back:0']);
  });

  it('a shift that never becomes ready, or a failed promotion, rolls back', () => {
    expect(walk([false, true], 2, false)).toEqual(['shift:0', 'rollback:0', 'rolled-back:0']);
    expect(walk([true, true, true, true, false, true], 2, false).slice(-3)).toEqual(['promote:1', 'rollback:1', 'rolled-back:1']);
  });

  it('a failed rollback is an error that points at the runbook, and a finished rollout cannot go on', () => {
    expect(() => nextState({ phase: 'rollback', step: 0 }, false, 2)).toThrow(/docs\/runbooks\/rollback.md/);
    expect(() => nextState({ phase: 'promoted', step: 1 }, true, 2)).toThrow(/already ended/);
  });

  it('accepts the SLO steps and rejects steps that do not climb to 100', () => {
    expect(validateSteps(slo.canarySteps)).toEqual(slo.canarySteps);
    expect(() => validateSteps([20, 50])).toThrow(/last canary step must be 100/);
    expect(() => validateSteps([50, 20, 100])).toThrow(/must increase/);
    expect(() => validateSteps([0, 100])).toThrow(/from 1 to 100/);
  });
});
