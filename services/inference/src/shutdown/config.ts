/**
 * SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS: how long after the first signal a second one counts as a duplicate.
 *
 * SHUTDOWN_TIMEOUT_SECONDS: how long the process may drain after SIGTERM before it exits anyway.
 *
 * Default 20 s. Kubernetes sends SIGKILL terminationGracePeriodSeconds after the pod starts terminating, and that
 * period also covers the preStop hook, so it must be at least preStop sleep + this bound + a margin; the stacks
 * set it from `shutdownDefaults` (default 30 s grace = 5 s preStop + 20 s drain + 5 s margin).
 */
import { positiveInt } from '../cache/config.js';

export const shutdownDefaults = {
  timeoutSeconds: 20,
  /** Suggested preStop sleep so endpoints stop routing to the pod before SIGTERM arrives. */
  preStopSleepSeconds: 5,
  /** Suggested terminationGracePeriodSeconds. */
  terminationGracePeriodSeconds: 30,
  /**
   * A second signal within this many ms of the first is the same signal delivered twice (to the process group and
   * relayed by npm), not a person asking for an immediate exit: the drain goes on.
   */
  duplicateSignalWindowMs: 1000,
} as const;

export interface ShutdownConfig {
  /** SHUTDOWN_TIMEOUT_SECONDS (default 20). */
  readonly timeoutSeconds: number;
  /**
   * SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS (default 1000): signals arriving within this long of the first are ignored;
   * a later one (a deliberate second Ctrl-C) exits at once with 1. 0: every second signal exits at once.
   */
  readonly duplicateSignalWindowMs: number;
}

export function shutdownConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ShutdownConfig {
  return {
    timeoutSeconds: shutdownTimeoutFromEnv(env),
    duplicateSignalWindowMs: positiveInt(env, 'SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS', shutdownDefaults.duplicateSignalWindowMs, 0),
  };
}

export function shutdownTimeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  return positiveInt(env, 'SHUTDOWN_TIMEOUT_SECONDS', shutdownDefaults.timeoutSeconds);
}
