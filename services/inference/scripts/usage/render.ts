/** The usage report as Markdown (per-day lines and per-tenant totals) or CSV (the per-day lines only). */
import type { ReportLine, UsageReport } from './aggregate.js';

export type ReportFormat = 'md' | 'csv';

const columns = ['day', 'tenant', 'model', 'requests', 'errors', 'items', 'prompt_tokens', 'completion_tokens', 'compute_seconds', 'compute_share', 'cost'] as const;

function cells(line: ReportLine): string[] {
  return [
    line.day,
    line.tenant,
    line.model,
    String(line.requests),
    String(line.errors),
    String(line.items),
    String(line.promptTokens),
    String(line.completionTokens),
    line.computeSeconds.toFixed(6),
    line.computeShare.toFixed(4),
    line.cost.toFixed(9),
  ];
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsv(report: UsageReport): string {
  const header = [...columns.slice(0, -1), `cost_${report.currency.toLowerCase()}`];
  return [header, ...report.lines.map(cells)].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

const mdCell = (value: string): string => value.replace(/\|/g, '\\|');

export function renderMarkdown(report: UsageReport): string {
  const out = [`# Tenant usage ${report.from} – ${report.to}`, ''];
  if (report.lines.length === 0) return [...out, 'No inference calls in this period.', ''].join('\n');
  out.push(`Cost in ${report.currency} = compute_seconds ÷ 3600 × GPUs per worker × GPU-hour price of the model; compute_share is the tenant's part of that model's compute that day.`, '');
  out.push(`| ${columns.join(' | ')} |`, `|${columns.map((c, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const line of report.lines) out.push(`| ${cells(line).map(mdCell).join(' | ')} |`);
  const tenants = new Map<string, { requests: number; items: number; computeSeconds: number; cost: number }>();
  for (const line of report.lines) {
    const t = tenants.get(line.tenant) ?? { requests: 0, items: 0, computeSeconds: 0, cost: 0 };
    t.requests += line.requests;
    t.items += line.items;
    t.computeSeconds += line.computeSeconds;
    t.cost += line.cost;
    tenants.set(line.tenant, t);
  }
  out.push('', '## Per tenant', '', '| tenant | requests | items | compute_seconds | cost |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [tenant, t] of [...tenants.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`| ${mdCell(tenant)} | ${t.requests} | ${t.items} | ${t.computeSeconds.toFixed(6)} | ${t.cost.toFixed(9)} |`);
  }
  return `${out.join('\n')}\n`;
}

export function render(report: UsageReport, format: ReportFormat): string {
  return format === 'csv' ? renderCsv(report) : renderMarkdown(report);
}
