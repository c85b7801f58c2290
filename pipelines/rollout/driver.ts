/**
 * The rollout driver: walks the state machine (states.ts) over the canary steps, performing each phase with a
 * traffic shifter, a gate runner and Prometheus, printing progress as it goes and returning the report.
 * Any error inside a phase counts as a failed phase, so the driver falls back to the stable version rather than
 * leaving a half-shifted route behind.
 */
import { slo as defaultSlo, type Slo } from '../../policies/slo.js';
import { sleep } from '../lib/wait.js';
import { canaryFigures } from './analysis.js';
import type { GateRunner } from './gate/types.js';
import type { PhaseRecord, RolloutReport } from './report.js';
import { initialState, isFinal, nextState, validateSteps, type RolloutState } from './states.js';
import type { TrafficShifter } from './traffic-shifter.js';
import { describeFailures, judge } from './verdict.js';

export interface DriverOptions {
  readonly shifter: TrafficShifter;
  readonly gate: GateRunner;
  readonly prometheusUrl: string;
  /** Canary steps in percent; default: slo.canarySteps. */
  readonly steps?: readonly number[];
  /** Length of each verify/observe window in seconds; default: slo.gateWindowSeconds. */
  readonly windowSeconds?: number;
  /** Wait after a window before querying Prometheus, so the last scrape is in (≥ one scrape interval). */
  readonly settleSeconds?: number;
  /** How long a shift may take to be in effect with a healthy canary. */
  readonly readyTimeoutMs?: number;
  /** Gate on pinned traffic before the first exposure (default true; see states.ts). */
  readonly verifyBeforeFirstExposure?: boolean;
  readonly slo?: Slo;
  readonly log?: (line: string) => void;
}

interface PhaseOutcome {
  readonly passed: boolean;
  readonly record: Omit<PhaseRecord, 'phase' | 'percent' | 'startedAt' | 'endedAt' | 'passed'>;
}

export async function runRollout(options: DriverOptions): Promise<RolloutReport> {
  const s = options.slo ?? defaultSlo;
  const steps = validateSteps(options.steps ?? s.canarySteps);
  const windowSeconds = options.windowSeconds ?? s.gateWindowSeconds;
  const log = options.log ?? ((line: string) => console.log(line));
  const startedAt = new Date().toISOString();
  const phases: PhaseRecord[] = [];
  let state: RolloutState = initialState(options.verifyBeforeFirstExposure ?? true);
  let failure: PhaseRecord | undefined;

  log(`rollout: steps ${steps.join(' → ')} %, window ${windowSeconds} s, shifter ${options.shifter.description}, gate ${options.gate.tool}`);
  while (!isFinal(state)) {
    const percent = steps[state.step] ?? 100;
    const phaseStart = new Date();
    log(`rollout: ${state.phase} (step ${percent} %) ...`);
    let outcome: PhaseOutcome;
    try {
      outcome = await perform(state, percent, options, windowSeconds, s);
    } catch (error) {
      outcome = { passed: false, record: { note: `error: ${error instanceof Error ? error.message : String(error)}` } };
    }
    const record: PhaseRecord = {
      phase: state.phase,
      percent,
      startedAt: phaseStart.toISOString(),
      endedAt: new Date().toISOString(),
      passed: outcome.passed,
      ...outcome.record,
    };
    phases.push(record);
    log(`rollout: ${state.phase} (step ${percent} %) ${outcome.passed ? 'passed' : 'FAILED'}: ${record.note}`);
    if (!outcome.passed && state.phase !== 'rollback') failure ??= record;
    state = nextState(state, outcome.passed, steps.length);
  }

  const promoted = state.phase === 'promoted';
  return {
    outcome: promoted ? 'promoted' : 'rolled-back',
    ...(failure ? { failedAtPercent: failure.percent } : {}),
    reason: promoted ? 'every step met the SLO' : `${failure?.phase ?? 'unknown'} failed: ${failure?.note ?? ''}`,
    steps,
    windowSeconds,
    shifter: options.shifter.description,
    gateTool: options.gate.tool,
    startedAt,
    endedAt: new Date().toISOString(),
    phases,
  };
}

async function perform(state: RolloutState, percent: number, o: DriverOptions, windowSeconds: number, s: Slo): Promise<PhaseOutcome> {
  const readyTimeoutMs = o.readyTimeoutMs ?? 120_000;
  switch (state.phase) {
    case 'verify':
    case 'observe':
      return measure(o, windowSeconds, s);
    case 'shift':
      await o.shifter.setCanaryWeight(percent);
      await o.shifter.waitUntilReady(percent, readyTimeoutMs);
      return { passed: true, record: { note: `canary weight ${percent} %, canary ready` } };
    case 'promote':
      await o.shifter.promote();
      return { passed: true, record: { note: 'canary promoted to stable' } };
    case 'rollback':
      await o.shifter.setCanaryWeight(0);
      await o.shifter.waitUntilReady(0, readyTimeoutMs);
      return { passed: true, record: { note: 'canary weight 0 %, stable serves all traffic' } };
    default:
      throw new Error(`nothing to perform in phase ${state.phase}`);
  }
}

/** One gate window of pinned traffic, then the canary's Prometheus figures over the same span, then the verdict. */
async function measure(o: DriverOptions, windowSeconds: number, s: Slo): Promise<PhaseOutcome> {
  const start = Date.now();
  const gate = await o.gate.run(windowSeconds);
  await sleep((o.settleSeconds ?? 30) * 1000);
  const spanSeconds = (Date.now() - start) / 1000;
  const prometheus = await canaryFigures(o.prometheusUrl, spanSeconds, new Date(), gate.stream !== undefined);
  const verdict = judge(gate, prometheus, s);
  return { passed: verdict.passed, record: { gate, prometheus, verdict, note: describeFailures(verdict) } };
}
