/**
 * The rollout as a state machine over the canary steps of the SLO (20 % → 100 %). Pure: given where we are and
 * how the last phase went, where next. The driver (driver.ts) performs each phase.
 *
 *   verify(0) ──pass──▶ shift(0) ──▶ observe(0) ──pass──▶ shift(1) ──▶ observe(1) ─pass─▶ promote ─▶ promoted
 *      │                   │             │                   │             │                │
 *      └──────fail─────────┴─────────────┴───────────────────┴─────────────┴────────────────┴─▶ rollback ─▶ rolled-back
 *
 * `verify` runs only before the first step: the gate's pinned traffic (`x-canary: always`) reaches the canary
 * while clients still see 0 %, so a broken build is caught before any client request touches it.
 */
export type Phase = 'verify' | 'shift' | 'observe' | 'promote' | 'rollback' | 'promoted' | 'rolled-back';

export interface RolloutState {
  readonly phase: Phase;
  /** Index into the steps; meaningful for verify, shift and observe. */
  readonly step: number;
}

export function initialState(verifyBeforeFirstExposure: boolean): RolloutState {
  return { phase: verifyBeforeFirstExposure ? 'verify' : 'shift', step: 0 };
}

export function isFinal(state: RolloutState): boolean {
  return state.phase === 'promoted' || state.phase === 'rolled-back';
}

/** The next state; `passed` is the outcome of the phase just performed. */
export function nextState(state: RolloutState, passed: boolean, stepCount: number): RolloutState {
  if (stepCount < 1) throw new Error('a rollout needs at least one canary step');
  switch (state.phase) {
    case 'verify':
      return passed ? { phase: 'shift', step: state.step } : { phase: 'rollback', step: state.step };
    case 'shift':
      return passed ? { phase: 'observe', step: state.step } : { phase: 'rollback', step: state.step };
    case 'observe':
      if (!passed) return { phase: 'rollback', step: state.step };
      return state.step + 1 < stepCount ? { phase: 'shift', step: state.step + 1 } : { phase: 'promote', step: state.step };
    case 'promote':
      return passed ? { phase: 'promoted', step: state.step } : { phase: 'rollback', step: state.step };
    case 'rollback':
      if (!passed) throw new Error('rollback failed: the canary may still receive traffic; follow docs/runbooks/rollback.md');
      return { phase: 'rolled-back', step: state.step };
    case 'promoted':
    case 'rolled-back':
      throw new Error(`the rollout already ended (${state.phase})`);
  }
}

/** Checks the steps from the SLO: increasing integers in 1–100 ending at 100. */
export function validateSteps(steps: readonly number[]): readonly number[] {
  if (steps.length === 0) throw new Error('canary steps are empty');
  steps.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1 || s > 100) throw new Error(`canary step ${s} is not an integer percent from 1 to 100`);
    if (i > 0 && s <= (steps[i - 1] ?? 0)) throw new Error(`canary steps must increase, got ${steps.join(' → ')}`);
  });
  if (steps[steps.length - 1] !== 100) throw new Error(`the last canary step must be 100, got ${steps.join(' → ')}`);
  return steps;
}
