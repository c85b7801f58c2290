/**
 * How the rollout moves client traffic. Two implementations: the cluster's (pipelines/rollout/shifters/kubernetes.ts,
 * patches the HTTPRoute) and the local rehearsal's (shifters/haproxy.ts, HAProxy's runtime API). The driver only
 * knows this interface.
 */
export interface TrafficShifter {
  /** For progress lines and the report, e.g. "haproxy runtime API (/tmp/x/admin.sock)". */
  readonly description: string;
  /** Sends `percent` (0–100) of unpinned traffic to the canary and the rest to stable. */
  setCanaryWeight(percent: number): Promise<void>;
  /** Resolves when the split is in effect and the canary is healthy behind it; throws after `timeoutMs`. */
  waitUntilReady(percent: number, timeoutMs: number): Promise<void>;
  /** The canary becomes the stable version: stable serves all traffic with the canary's build. */
  promote(): Promise<void>;
}
