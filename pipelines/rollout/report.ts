/** The rollout report: JSON for machines, Markdown for people (pipeline summary, rehearsal docs). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GateFigures } from './gate/types.js';
import type { Phase } from './states.js';
import type { CanaryFigures, Verdict } from './verdict.js';

export interface PhaseRecord {
  readonly phase: Phase;
  /** Canary percent of the step this phase belongs to. */
  readonly percent: number;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly passed: boolean;
  readonly gate?: GateFigures;
  readonly prometheus?: CanaryFigures;
  readonly verdict?: Verdict;
  /** What happened, in one line. */
  readonly note: string;
}

export interface RolloutReport {
  readonly outcome: 'promoted' | 'rolled-back';
  /** Canary percent of the step that failed, when rolled back. */
  readonly failedAtPercent?: number;
  readonly reason: string;
  readonly steps: readonly number[];
  readonly windowSeconds: number;
  readonly shifter: string;
  readonly gateTool: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly phases: readonly PhaseRecord[];
}

const fmt = (v: number | undefined, digits = 1): string => (v === undefined ? 'n/a' : v.toFixed(digits));
const pct = (v: number | undefined): string => (v === undefined ? 'n/a' : `${(v * 100).toFixed(2)} %`);

function streamCell(gate: GateFigures): string {
  const s = gate.stream;
  return s ? `; ${s.streams} streams, TTFT p95 ${fmt(s.ttftP95Ms)} ms, ITL p95 ${fmt(s.itlP95Ms)} ms, checks ${pct(s.checksRate)}` : '';
}

export function markdownReport(report: RolloutReport): string {
  const rows = report.phases.map((p) =>
    [
      p.phase,
      `${p.percent} %`,
      p.startedAt.slice(11, 19),
      p.endedAt.slice(11, 19),
      p.gate ? `${p.gate.requests} req, p95 ${fmt(p.gate.p95Ms)} ms, err ${pct(p.gate.errorRate)}, checks ${pct(p.gate.checksRate)}${streamCell(p.gate)}` : '',
      p.prometheus
        ? `${fmt(p.prometheus.requests, 0)} req, p95 ${fmt(p.prometheus.p95Ms)} ms, err ${pct(p.prometheus.errorRate)}` +
          (p.prometheus.generation ? `; ${fmt(p.prometheus.generation.streams, 0)} streams, TTFT p95 ${fmt(p.prometheus.generation.ttftP95Ms)} ms` : '')
        : '',
      p.passed ? 'pass' : '**fail**',
      p.note,
    ].join(' | '),
  );
  return [
    `# Rollout: ${report.outcome === 'promoted' ? 'promoted' : `rolled back at the ${report.failedAtPercent} % step`}`,
    '',
    `- Reason: ${report.reason}`,
    `- Steps: ${report.steps.map((s) => `${s} %`).join(' → ')}, window ${report.windowSeconds} s per phase`,
    `- Traffic shifter: ${report.shifter}; gate: ${report.gateTool}`,
    `- Started ${report.startedAt}, ended ${report.endedAt}`,
    '',
    '| phase | step | start | end | gate (client side, pinned to canary) | Prometheus (track="canary") | result | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}

/** Writes `<name>.json` and `<name>.md` into `dir`; returns their paths. */
export async function writeReport(dir: string, name: string, report: RolloutReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(md, markdownReport(report));
  return [json, md];
}
