/**
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
} as const;

export function shutdownTimeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  return positiveInt(env, 'SHUTDOWN_TIMEOUT_SECONDS', shutdownDefaults.timeoutSeconds);
}
