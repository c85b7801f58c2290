/**
 * Usage rows → one line per (day, tenant, model), with the tenant's share of that model's compute that day and its
 * cost: compute_seconds ÷ 3600 × gpusPerWorker × gpuHourPrice (prices.ts).
 */
import type { UsageRow } from './audit.js';
import { priceOf, type PriceTable } from './prices.js';

export interface ReportLine {
  readonly day: string;
  readonly tenant: string;
  readonly model: string;
  requests: number;
  /** Calls answered 5xx (the service's fault; still counted and still used compute). */
  errors: number;
  items: number;
  promptTokens: number;
  completionTokens: number;
  computeSeconds: number;
  /** computeSeconds ÷ all tenants' compute seconds on this model this day (0 when nobody computed). */
  computeShare: number;
  cost: number;
}

export interface UsageReport {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly lines: readonly ReportLine[];
}

/** Keeps rows whose UTC day lies in [from, to] (both YYYY-MM-DD, inclusive). */
export function inRange(rows: readonly UsageRow[], from: string, to: string): UsageRow[] {
  return rows.filter((r) => r.day >= from && r.day <= to);
}

export function aggregate(rows: readonly UsageRow[], prices: PriceTable, from: string, to: string): UsageReport {
  const lines = new Map<string, ReportLine>();
  for (const row of inRange(rows, from, to)) {
    const key = JSON.stringify([row.day, row.tenant, row.model]);
    let line = lines.get(key);
    if (line === undefined) {
      line = { day: row.day, tenant: row.tenant, model: row.model, requests: 0, errors: 0, items: 0, promptTokens: 0, completionTokens: 0, computeSeconds: 0, computeShare: 0, cost: 0 };
      lines.set(key, line);
    }
    line.requests += 1;
    if (row.status >= 500) line.errors += 1;
    line.items += row.items;
    line.promptTokens += row.promptTokens;
    line.completionTokens += row.completionTokens;
    line.computeSeconds += row.computeSeconds;
  }
  const totals = new Map<string, number>();
  for (const line of lines.values()) {
    const key = `${line.day}\u0000${line.model}`;
    totals.set(key, (totals.get(key) ?? 0) + line.computeSeconds);
  }
  for (const line of lines.values()) {
    const total = totals.get(`${line.day}\u0000${line.model}`) ?? 0;
    line.computeShare = total > 0 ? line.computeSeconds / total : 0;
    const price = priceOf(prices, line.model);
    line.cost = (line.computeSeconds / 3600) * price.gpusPerWorker * price.gpuHourPrice;
  }
  const sorted = [...lines.values()].sort((a, b) => a.day.localeCompare(b.day) || a.tenant.localeCompare(b.tenant) || a.model.localeCompare(b.model));
  return { from, to, currency: prices.currency, lines: sorted };
}
