/**
 * Limit settings from the environment. Defaults protect a single replica; operators tune them per environment.
 */
import { positiveInt } from '../cache/config.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface LimitsConfig {
  /**
   * ADMIN_BODY_LIMIT_BYTES (default 64 KiB): body limit of every route except infer (metadata, admin). The infer
   * routes keep the service's BODY_LIMIT_BYTES (src/config.ts).
   */
  readonly adminBodyLimitBytes: number;
  /** MAX_REQUEST_ELEMENTS (default 4194304): sum of tensor elements over all inputs of one request. */
  readonly maxRequestElements: number;
  /** MAX_INFLIGHT_REQUESTS (default 256): inference calls admitted at once; beyond → 503 + Retry-After. */
  readonly maxInflight: number;
  /** RATE_LIMIT_PER_SECOND (default 0 = off): sustained inference calls per subject per second. */
  readonly ratePerSecond: number;
  /** RATE_LIMIT_BURST (default 2 × rate): bucket size per subject. */
  readonly burst: number;
}

/** MAX_INFLIGHT_REQUESTS when unset (the stacks check generation settings against it). */
export const defaultMaxInflight = 256;

export function limitsConfigFromEnv(env: Env): LimitsConfig {
  const ratePerSecond = positiveInt(env, 'RATE_LIMIT_PER_SECOND', 0, 0);
  return {
    adminBodyLimitBytes: positiveInt(env, 'ADMIN_BODY_LIMIT_BYTES', 64 * 1024),
    maxRequestElements: positiveInt(env, 'MAX_REQUEST_ELEMENTS', 4 * 1024 * 1024),
    maxInflight: positiveInt(env, 'MAX_INFLIGHT_REQUESTS', defaultMaxInflight),
    ratePerSecond,
    burst: positiveInt(env, 'RATE_LIMIT_BURST', Math.max(1, ratePerSecond * 2)),
  };
}
