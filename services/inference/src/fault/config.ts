/**
 * Fault injection for the rollout rehearsal (contracts.md §1): FAULT_DELAY_MS adds latency to every inference
 * call, FAULT_ERROR_RATE (0..1) answers that fraction of calls with HTTP 500 {"error":"injected fault"}.
 * Both default to 0 (off); a process with either set logs a warning at start.
 */
type Env = Readonly<Record<string, string | undefined>>;

export interface FaultConfig {
  readonly delayMs: number;
  readonly errorRate: number;
}

export function faultConfigFromEnv(env: Env): FaultConfig {
  const delayRaw = env.FAULT_DELAY_MS?.trim() || '0';
  const rateRaw = env.FAULT_ERROR_RATE?.trim() || '0';
  const delayMs = Number(delayRaw);
  const errorRate = Number(rateRaw);
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 600_000) {
    throw new Error(`FAULT_DELAY_MS must be a number of milliseconds 0..600000, got "${delayRaw}"`);
  }
  if (!Number.isFinite(errorRate) || errorRate < 0 || errorRate > 1) {
    throw new Error(`FAULT_ERROR_RATE must be a fraction 0..1, got "${rateRaw}"`);
  }
  return { delayMs, errorRate };
}

export function faultsEnabled(config: FaultConfig): boolean {
  return config.delayMs > 0 || config.errorRate > 0;
}
