/** Renders a check report as a plain-text table (people) or JSON (CI). */
import type { CheckReport } from '../check.js';
import type { Result } from '../engine/run.js';

const verdictLabel: Record<Result['outcome'], string> = { pass: 'PASS', fail: 'FAIL', waived: 'WAIVED' };

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** One row per result: rule, resource, verdict, and for failures what was found and the fix hint. */
export function formatTable(report: CheckReport, options: { readonly failuresOnly?: boolean } = {}): string {
  const rows = report.results.filter((r) => !options.failuresOnly || r.outcome !== 'pass');
  const order: Record<Result['outcome'], number> = { fail: 0, waived: 1, pass: 2 };
  rows.sort((a, b) => order[a.outcome] - order[b.outcome] || a.stack.localeCompare(b.stack) || a.rule.localeCompare(b.rule));
  const header = ['RULE', 'RESOURCE', 'VERDICT', 'DETAIL / FIX'];
  const body = rows.map((r) => {
    const resource = `${r.stack}/${r.resource}${r.detail ? ` (${r.detail})` : ''}`;
    const text = r.outcome === 'pass' ? r.message : r.outcome === 'waived' ? `${r.message} — waived until ${r.waiver?.expires}: ${r.waiver?.reason}` : `${r.message} — fix: ${r.fix}`;
    return [r.rule, truncate(resource, 90), verdictLabel[r.outcome], text];
  });
  const widths = [0, 1, 2].map((i) => Math.max((header[i] ?? '').length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
  const { pass, fail, waived, stacks } = report.summary;
  const summary = `${stacks.length} stack(s): ${pass} passed, ${fail} failed, ${waived} waived`;
  return [line(header), ...body.map(line), '', summary, ''].join('\n');
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify({ summary: report.summary, results: report.results }, null, 2)}\n`;
}
