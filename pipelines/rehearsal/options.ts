/**
 * Rehearsal settings: which canary to rehearse, what outcome to expect, and the (short) timings. Parsed from the
 * command line with node:util parseArgs; every bad value is refused with a message naming the flag.
 */
import { parseArgs } from 'node:util';
import { slo } from '../../policies/slo.js';

/**
 * What the canary does wrong, as service fault-injection settings (FAULT_DELAY_MS / FAULT_ERROR_RATE, see
 * docs/configuration.md). Both faults clearly breach the SLO so the rehearsal tests the pipeline, not a borderline.
 */
export const canaryProfiles = {
  healthy: { env: {}, expect: 'promote' },
  /** 1.5 × the p95 objective added to every call: p95 lands well above slo.latencyP95Ms. */
  slow: { env: { FAULT_DELAY_MS: String(slo.latencyP95Ms * 1.5) }, expect: 'rollback' },
  /** One call in five answers 500: twenty times the error-rate objective. */
  failing: { env: { FAULT_ERROR_RATE: '0.2' }, expect: 'rollback' },
} as const satisfies Record<string, { env: Record<string, string>; expect: 'promote' | 'rollback' }>;

export type CanaryProfile = keyof typeof canaryProfiles;

export interface RehearsalOptions {
  readonly canary: CanaryProfile;
  readonly expect: 'promote' | 'rollback';
  /** Seconds per verify/observe window (cluster default: slo.gateWindowSeconds). */
  readonly windowSeconds: number;
  /** Requests per second of steady client traffic through the gateway. */
  readonly clientRate: number;
  /** Requests per second of the gate's pinned traffic. */
  readonly gateRate: number;
  /** Gate on pinned traffic before the first exposure (see pipelines/rollout/states.ts). */
  readonly verifyBeforeFirstExposure: boolean;
  /** Where the JSON and Markdown reports go. */
  readonly reportDir: string;
  /** Generative model the gate also streams to (TTFT checks); empty: none. Default: the bundled demo LLM. */
  readonly generateModel: string;
}

/** The generative model the service serves from its bundled repository (services/inference/models). */
export const bundledGenerativeModel = 'demo-llm';

export const usage = `usage: npm run rehearse -- [--canary=healthy|slow|failing] [--expect=promote|rollback]
       [--window=SECONDS] [--client-rate=RPS] [--gate-rate=RPS] [--no-verify] [--report-dir=DIR]
       [--generate-model=demo-llm]   (empty: no streams, no TTFT checks)`;

function positive(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number, got "${raw}"`);
  return value;
}

export function parseRehearsalArgs(argv: readonly string[]): RehearsalOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      canary: { type: 'string', default: 'healthy' },
      expect: { type: 'string' },
      window: { type: 'string' },
      'client-rate': { type: 'string' },
      'gate-rate': { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
      'report-dir': { type: 'string', default: 'pipelines/rehearsal/results' },
      'generate-model': { type: 'string', default: bundledGenerativeModel },
    },
    strict: true,
    allowPositionals: false,
  });
  const canary = values.canary ?? 'healthy';
  if (!(canary in canaryProfiles)) {
    throw new Error(`--canary must be one of ${Object.keys(canaryProfiles).join(', ')}, got "${canary}"`);
  }
  const profile = canaryProfiles[canary as CanaryProfile];
  const expected = values.expect ?? profile.expect;
  if (expected !== 'promote' && expected !== 'rollback') {
    throw new Error(`--expect must be promote or rollback, got "${expected}"`);
  }
  const gateRate = positive('gate-rate', values['gate-rate'], 20);
  const windowSeconds = positive('window', values.window, 20);
  if (gateRate * windowSeconds < slo.gateMinRequests) {
    throw new Error(
      `--gate-rate × --window gives ${gateRate * windowSeconds} gate requests, fewer than slo.gateMinRequests (${slo.gateMinRequests}): the gate could never pass`,
    );
  }
  const generateModel = values['generate-model'] ?? bundledGenerativeModel;
  if (generateModel !== '') {
    const streams = Math.floor(slo.generation.gateStreamsPerSecond * windowSeconds) + 1;
    if (streams < slo.generation.gateMinStreams) {
      throw new Error(
        `--window ${windowSeconds} s gives the gate ${streams} streams, fewer than slo.generation.gateMinStreams (${slo.generation.gateMinStreams}); lengthen the window or pass --generate-model=`,
      );
    }
  }
  return {
    canary: canary as CanaryProfile,
    expect: expected,
    windowSeconds,
    clientRate: positive('client-rate', values['client-rate'], 20),
    gateRate,
    verifyBeforeFirstExposure: !values['no-verify'],
    reportDir: values['report-dir'] ?? 'pipelines/rehearsal/results',
    generateModel,
  };
}
