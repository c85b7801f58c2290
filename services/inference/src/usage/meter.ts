/**
 * The one call that records a tenant's use of a model: Prometheus counters (bounded tenant labels) now, and the
 * same figures in the audit record through `request.usage` (logging/access.ts).
 *
 * Inference calls are recorded by the usage plugin (plugin.ts) without anyone calling this. A route that does its
 * own accounting — text generation, say — calls `app.recordUsage({...})` once per call after the call finished:
 *
 *   app.recordUsage({ tenant: tenantOfPrincipal(request.principal), model, version, requests: 1, items: 1,
 *                     promptTokens: summary.promptTokens, completionTokens: summary.completionTokens,
 *                     computeSeconds: summary.computeMs / 1000 });
 *
 * and sets `request.usage` (UsageFigures) so its audit line carries the same numbers.
 */
import type { Counter } from 'prom-client';
import type { Principal } from '../auth/verifier.js';
import type { TenantLabels } from './tenant-labels.js';

/** Per-call figures, as the audit record carries them. */
export interface UsageFigures {
  /** Batch rows (items) of the call: the first input's dimension 0 for a batchable model, else 1. */
  items: number;
  /** This call's share of worker compute: each batch's session time × its rows / the batch's rows. 0 for a cache hit. */
  computeSeconds: number;
  /** Prompt tokens (generate calls). */
  promptTokens?: number;
  /** Generated tokens (generate calls). */
  completionTokens?: number;
}

export interface UsageRecord {
  /** Exact tenant (tenantOfPrincipal); the meter maps it to a bounded label. */
  readonly tenant: string;
  readonly model: string;
  readonly version: string;
  /** Calls to count, usually 1. */
  readonly requests: number;
  readonly items: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly computeSeconds: number;
}

export type RecordUsage = (record: UsageRecord) => void;

type UsageCounters = Readonly<Record<'requests' | 'items' | 'computeSeconds' | 'promptTokens' | 'completionTokens', Pick<Counter<'tenant' | 'model' | 'version'>, 'inc'>>>;

/** The tenant a principal is billed as: its tenant claim, else its subject ("anonymous" with AUTH_MODE=none). */
export function tenantOfPrincipal(principal: Principal | undefined): string | undefined {
  if (principal === undefined) return undefined;
  return principal.tenant !== '' ? principal.tenant : principal.subject;
}

export function usageRecorder(counters: UsageCounters, labels: TenantLabels): RecordUsage {
  return (record) => {
    const l = { tenant: labels.labelOf(record.tenant), model: record.model, version: record.version };
    const add = (counter: UsageCounters[keyof UsageCounters], value: number | undefined): void => {
      if (value !== undefined && Number.isFinite(value) && value > 0) counter.inc(l, value);
    };
    add(counters.requests, record.requests);
    add(counters.items, record.items);
    add(counters.computeSeconds, record.computeSeconds);
    add(counters.promptTokens, record.promptTokens);
    add(counters.completionTokens, record.completionTokens);
  };
}
