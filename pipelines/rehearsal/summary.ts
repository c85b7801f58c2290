/** The rehearsal report: the rollout report plus what clients saw and whether the expectations held. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname, cpus } from 'node:os';
import { markdownReport } from '../rollout/report.js';
import type { RehearsalResult } from './rehearse.js';

export function markdownRehearsal(result: RehearsalResult): string {
  const o = result.options;
  const c = result.clients;
  return [
    `# Rehearsal: canary ${o.canary} → ${result.passed ? 'as expected' : 'NOT as expected'}`,
    '',
    `Machine: ${hostname()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`,
    `Canary faults: ${Object.keys(result.canaryEnv).length ? Object.entries(result.canaryEnv).map(([k, v]) => `${k}=${v}`).join(', ') : 'none'}.`,
    `Client traffic: ${o.clientRate} req/s through HAProxy; gate traffic: ${o.gateRate} req/s pinned with x-canary: always; ` +
      `verification before first exposure: ${o.verifyBeforeFirstExposure ? 'on' : 'off'}.`,
    '',
    '## Expectations',
    '',
    ...result.expectations.map((e) => `- [${e.ok ? 'x' : ' '}] ${e.what}`),
    '',
    '## Clients over the whole run',
    '',
    `${c.requests} requests, ${c.failed} failed (${(c.failedFraction * 100).toFixed(2)} %), p95 ${c.p95Ms?.toFixed(1) ?? 'n/a'} ms` +
      (c.failureSamples.length ? `; failures: ${c.failureSamples.join(' | ')}` : ''),
    '',
    markdownReport(result.rollout).replace(/^# /, '## '),
  ].join('\n');
}

export async function writeRehearsal(dir: string, result: RehearsalResult): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const name = `rehearsal-${result.options.canary}`;
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(md, markdownRehearsal(result));
  return [json, md];
}
