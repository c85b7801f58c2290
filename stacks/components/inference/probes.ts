/**
 * Probe timings for the service, and the arithmetic that ties them to the SLO: a hung container (health
 * endpoints stop answering) must be restarted within `slo.restartWithinSeconds` (seed: 60 s).
 *
 * Worst case from the moment of the hang: the kubelet needs `failureThreshold` consecutive failures, each probe
 * fires `periodSeconds` apart and a failing probe takes up to `timeoutSeconds`, so detection takes at most
 * periodSeconds × failureThreshold + timeoutSeconds (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
 */
import { slo } from '../../../policies/slo.js';

export interface ProbeTiming {
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

export interface ProbeSettings {
  /** Covers model load and warm-up; liveness only starts once this has passed. */
  readonly startup: ProbeTiming;
  readonly readiness: ProbeTiming;
  readonly liveness: ProbeTiming;
}

/** Service health endpoints (Open Inference Protocol / KServe V2). */
export const healthPaths = { live: '/v2/health/live', ready: '/v2/health/ready' } as const;

export const probeDefaults: ProbeSettings = {
  // Up to 10 minutes to load and warm the model from the model store.
  startup: { periodSeconds: 10, failureThreshold: 60, timeoutSeconds: 2 },
  readiness: { periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
  // 10 × 3 + 2 = 32 s ≤ 60 s.
  liveness: { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
};

/** Longest time from a hang to the restart decision. */
export function livenessWorstCaseSeconds(t: ProbeTiming): number {
  return t.periodSeconds * t.failureThreshold + t.timeoutSeconds;
}

/** Throws when the liveness probe could leave a hung container running longer than the SLO allows. */
export function assertRestartBound(settings: ProbeSettings): ProbeSettings {
  const worst = livenessWorstCaseSeconds(settings.liveness);
  if (worst > slo.restartWithinSeconds) {
    const { periodSeconds: p, failureThreshold: f, timeoutSeconds: t } = settings.liveness;
    throw new Error(
      `liveness probe restarts a hung container after up to ${p}×${f}+${t} = ${worst} s; ` +
        `policies/slo.ts allows ${slo.restartWithinSeconds} s — lower periodSeconds or failureThreshold`,
    );
  }
  return settings;
}
