/**
 * Probe timings for the service, and the arithmetic that ties them to the SLO: a hung container (health
 * endpoints stop answering) must be restarted within `slo.restartWithinSeconds` (seed: 60 s).
 *
 * Worst case from the moment of the hang: the kubelet needs `failureThreshold` consecutive failures, each probe
 * fires `periodSeconds` apart and a failing probe takes up to `timeoutSeconds`, so detection takes at most
 * periodSeconds × failureThreshold + timeoutSeconds (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
 * The kubelet then kills the container like any other: preStop, SIGTERM, and SIGKILL only after the pod's
 * terminationGracePeriodSeconds. A process whose event loop hangs never handles SIGTERM, so the restart comes
 * after detection + the whole grace period (the provider has no probe-level grace period to shorten it).
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
  // 5 × 4 + 2 = 22 s to detect; with the 30 s grace period 52 s ≤ 60 s. Four misses in a row, not one slow answer.
  liveness: { periodSeconds: 5, failureThreshold: 4, timeoutSeconds: 2 },
};

/** Longest time from a hang to the restart decision. */
export function livenessWorstCaseSeconds(t: ProbeTiming): number {
  return t.periodSeconds * t.failureThreshold + t.timeoutSeconds;
}

/** Longest time from a hang to the container being restarted: detection, then the grace period runs out. */
export function restartWorstCaseSeconds(t: ProbeTiming, terminationGracePeriodSeconds: number): number {
  return livenessWorstCaseSeconds(t) + terminationGracePeriodSeconds;
}

/** Throws when a hung container could stay up longer than the SLO allows. */
export function assertRestartBound(settings: ProbeSettings, terminationGracePeriodSeconds: number): ProbeSettings {
  const worst = restartWorstCaseSeconds(settings.liveness, terminationGracePeriodSeconds);
  if (worst > slo.restartWithinSeconds) {
    const { periodSeconds: p, failureThreshold: f, timeoutSeconds: t } = settings.liveness;
    throw new Error(
      `a hung container is restarted after up to ${p}×${f}+${t} s (liveness) + ${terminationGracePeriodSeconds} s ` +
        `(terminationGracePeriodSeconds) = ${worst} s; policies/slo.ts allows ${slo.restartWithinSeconds} s — ` +
        'lower the liveness periodSeconds / failureThreshold or the drain bound (shutdownTimeoutSeconds)',
    );
  }
  return settings;
}
