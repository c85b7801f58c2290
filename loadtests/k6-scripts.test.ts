import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { slo } from '../policies/slo.ts';
import { generationThresholds, inferRequestsMetric, sloThresholds } from './lib/config.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const run = promisify(execFile);

describe('k6 scripts', () => {
  it('type-check against @types/k6 (k6 itself is not installed here)', async () => {
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', join(here, 'tsconfig.json')], { cwd: root }).catch(
      (error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? '', code: error.code }),
    );
    expect(result.stdout).toBe('');
  });

  it('derive every gate threshold from policies/slo.ts, including the minimum request count', () => {
    expect(sloThresholds()).toEqual({
      'http_req_duration{endpoint:infer}': [`p(95)<${slo.latencyP95Ms}`],
      'http_req_failed{endpoint:infer}': [`rate<${slo.errorRate}`],
      'checks{endpoint:infer}': [`rate>${slo.checksRate}`],
      [inferRequestsMetric]: [`count>=${slo.gateMinRequests}`],
    });
  });

  it('derive the streaming thresholds from the SLO generation block', () => {
    expect(generationThresholds()).toEqual({
      generate_ttft: [`p(95)<${slo.generation.ttftP95Ms}`],
      generate_itl: [`p(95)<${slo.generation.itlP95Ms}`],
      'http_req_failed{endpoint:generate}': [`rate<${slo.errorRate}`],
      'checks{endpoint:generate}': [`rate>${slo.checksRate}`],
      generate_streams: [`count>=${slo.generation.gateMinStreams}`],
    });
  });

  it('import local modules with an explicit .ts extension, which is all k6 can resolve', async () => {
    const files = await reachableModules([
      '01-smoke.ts',
      '02-load.ts',
      '03-spike.ts',
      '04-canary-gate.ts',
      '05-generate-stream.ts',
    ].map((f) => join(here, f)));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      for (const specifier of relativeImports(source)) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(/\.ts$/);
      }
    }
  });

  it('each script exports options with thresholds, setup, a default function and handleSummary', async () => {
    for (const name of (await readdir(here)).filter((f) => /^\d\d-.*\.ts$/.test(f))) {
      const source = await readFile(join(here, name), 'utf8');
      expect(source, name).toMatch(/^\/\*\*\n \* \d\d [a-z -]+ — "[^"]+\?"/);
      for (const part of ['export const options', 'export function setup', 'export default function', 'export function handleSummary']) {
        expect(source, `${name} has ${part}`).toContain(part);
      }
      // Thresholds come from the SLO file: request rules, generation rules, or both.
      expect(source, `${name} takes its thresholds from lib/config.ts`).toMatch(/thresholds: (sloThresholds|generationThresholds)\(\)|thresholds: \{ \.\.\.sloThresholds\(\)/);
    }
  });
});

function relativeImports(source: string): string[] {
  return [...source.matchAll(/^import [^;]*? from '(\.[^']+)';/gms)].map((m) => m[1] ?? '');
}

/** Follows relative imports from the entry scripts, like k6's bundler does. */
async function reachableModules(entries: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const specifier of relativeImports(source)) {
      if (specifier.endsWith('.ts')) queue.push(resolve(dirname(file), specifier));
    }
  }
  return [...seen];
}
