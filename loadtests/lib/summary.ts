/**
 * handleSummary output: the end-of-test data as JSON (for machines) and Markdown (for the pull request comment).
 * Pure functions over k6's summary object, so Node tests can feed them a recorded summary.
 */
import { target } from './config.ts';
import type { SummaryData } from './contract.ts';

export type { SummaryData };

export interface ThresholdResult {
  readonly metric: string;
  readonly expression: string;
  readonly ok: boolean;
  /** The figure the expression is about (p95 in ms, a rate, a count), when k6 reported it. */
  readonly value: number | undefined;
}

/** Flattens every threshold in the summary with the value it judged. */
export function thresholdResults(data: SummaryData): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, summary] of Object.entries(data.metrics)) {
    for (const [expression, outcome] of Object.entries(summary.thresholds ?? {})) {
      const stat = /^([a-z]+(?:\([\d.]+\))?)/.exec(expression)?.[1] ?? '';
      results.push({ metric, expression, ok: outcome.ok, value: summary.values[stat] });
    }
  }
  return results;
}

/** The Markdown report: a verdict line and one row per threshold. */
export function markdownSummary(testName: string, data: SummaryData): string {
  const results = thresholdResults(data);
  const passed = results.every((r) => r.ok);
  const seconds = ((data.state?.testRunDurationMs ?? 0) / 1000).toFixed(1);
  const rows = results.map(
    (r) => `| \`${r.metric}\` | \`${r.expression}\` | ${formatValue(r.value)} | ${r.ok ? 'pass' : '**FAIL**'} |`,
  );
  return [
    `## k6 ${testName}: ${passed ? 'passed' : 'FAILED'}`,
    '',
    `Target \`${target.baseUrl}\`, model \`${target.model}\`, ${seconds} s.`,
    '',
    '| metric | threshold | value | result |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** The object handleSummary returns: file path → content, plus the Markdown on stdout. */
export function summaryFiles(testName: string, data: SummaryData): Record<string, string> {
  const markdown = markdownSummary(testName, data);
  return {
    stdout: markdown,
    [`${target.summaryDir}/${testName}.json`]: JSON.stringify(data, null, 2),
    [`${target.summaryDir}/${testName}.md`]: markdown,
  };
}

function formatValue(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
