/**
 * The canary gate through k6 (loadtests/04-canary-gate.ts) where k6 is installed, e.g. in CI via
 * grafana/setup-k6-action. k6 exits 99 when a threshold fails; the driver still reads the figures from the JSON
 * summary the script writes, so its own decision and the report show the numbers either way.
 */
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { $, which } from 'zx';
import { generateMetrics, generateTag, inferRequestsMetric, inferTag, type SummaryData } from '../../../loadtests/lib/contract.js';
import type { GateFigures, GateRunner, GateTarget } from './types.js';

const script = resolve(import.meta.dirname, '../../../loadtests/04-canary-gate.ts');

export async function k6Available(): Promise<boolean> {
  return (await which('k6', { nothrow: true })) !== null;
}

export class K6Gate implements GateRunner {
  readonly tool = 'k6' as const;

  constructor(private readonly target: GateTarget) {}

  async run(seconds: number): Promise<GateFigures> {
    const dir = await mkdtemp(join(tmpdir(), 'k6-gate-'));
    const env = [
      `BASE_URL=${this.target.baseUrl}`,
      `MODEL=${this.target.model}`,
      `TOKEN=${this.target.token}`,
      `RATE=${this.target.ratePerSecond}`,
      `WINDOW_SECONDS=${seconds}`,
      `SUMMARY_DIR=${dir}`,
      `GENERATE_MODEL=${this.target.generateModel ?? ''}`,
    ].flatMap((pair) => ['-e', pair]);
    const result = await $({ nothrow: true, quiet: true })`k6 run --quiet ${env} ${script}`;
    if (result.exitCode !== 0 && result.exitCode !== 99) {
      throw new Error(`k6 failed (exit ${result.exitCode}): ${result.stderr.slice(-500)}`);
    }
    const summary = JSON.parse(await readFile(join(dir, '04-canary-gate.json'), 'utf8')) as SummaryData;
    return figuresFromSummary(summary);
  }
}

/** Reads the gate's figures from k6's summary; metric keys are those of loadtests/lib/config.ts. */
export function figuresFromSummary(summary: SummaryData): GateFigures {
  const tag = `{endpoint:${inferTag.endpoint}}`;
  const value = (metric: string, stat: string): number | undefined => summary.metrics[metric]?.values[stat];
  const streamTag = `{endpoint:${generateTag.endpoint}}`;
  const streams = value(generateMetrics.streams, 'count');
  return {
    tool: 'k6',
    requests: value(inferRequestsMetric, 'count') ?? 0,
    errorRate: value(`http_req_failed${tag}`, 'rate'),
    p95Ms: value(`http_req_duration${tag}`, 'p(95)'),
    checksRate: value(`checks${tag}`, 'rate'),
    failureSamples: [],
    ...(streams === undefined
      ? {}
      : {
          stream: {
            streams,
            errorRate: value(`http_req_failed${streamTag}`, 'rate'),
            ttftP95Ms: value(generateMetrics.ttft, 'p(95)'),
            itlP95Ms: value(generateMetrics.itl, 'p(95)'),
            checksRate: value(`checks${streamTag}`, 'rate'),
          },
        }),
  };
}
