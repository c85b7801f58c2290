/**
 * The drift alert end to end on this machine: the real service process (demo encoder with its shipped
 * drift-profile.json), a real Prometheus from Debian scraping its metrics port every second and evaluating the
 * rendered InferenceDataDrift rule, and the documented sender (npm run drift-send) playing the demo samples.
 * Reference traffic leaves the alert quiet; the shifted sample fires it. The rule runs with a 1-minute window and
 * no `for` (the SLO's 60 m / 15 m would make the test an hour long); promtool tests cover the real durations.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slo } from '../../policies/slo.js';
import { driftObservationCountQuery, driftPsiQuery } from '../../policies/queries.js';
import { demoSample } from '../../services/inference/scripts/drift/demo-sample.js';
import { sendSample } from '../../services/inference/scripts/drift/send-sample.js';
import { driftRuleGroup } from '../../stacks/components/observability/alert-rules.js';
import { freePort } from '../lib/ports.js';
import { ProcessGroup } from '../lib/processes.js';
import { answers200, sleep, waitFor } from '../lib/wait.js';
import { startPrometheus, waitForTargetsUp } from './process.js';
import { renderRuleFile } from './render-rules.js';
import { renderPrometheusConfig } from './scrape-config.js';

const group = new ProcessGroup();
const serverEntry = fileURLToPath(new URL('../../services/inference/src/server.ts', import.meta.url));
const drift = { ...slo.drift, windowMinutes: 1, forMinutes: 0 };
let dir = '';
let serviceUrl = '';
let prometheusUrl = '';

async function vector(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql })}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`Prometheus rejected ${promql}: ${body.error}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

async function driftAlerts(): Promise<Array<{ labels: Record<string, string>; state: string }>> {
  const res = await fetch(`${prometheusUrl}/api/v1/alerts`);
  const body = (await res.json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
  return body.data.alerts.filter((a) => a.labels.alertname === 'InferenceDataDrift');
}

async function play(count: number, seed: number, shifted: boolean): Promise<void> {
  const lines = demoSample({ count, seed, shifted }).trim().split('\n');
  const outcomes = await sendSample({ url: serviceUrl, model: 'demo', lines, concurrency: 4 });
  expect(Object.fromEntries(outcomes)).toEqual({ 200: count });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drift-e2e-'));
  const [port, metricsPort, promPort] = [await freePort(), await freePort(), await freePort()];
  group.start({
    name: 'inference',
    command: process.execPath,
    args: ['--import', 'tsx', serverEntry],
    env: { AUTH_MODE: 'none', HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), WORKER_THREADS: '1', INTRA_OP_THREADS: '1', LOG_LEVEL: 'warn' },
    logFile: join(dir, 'inference.log'),
  });
  serviceUrl = `http://127.0.0.1:${port}`;
  await waitFor('inference service ready', () => answers200(`${serviceUrl}/v2/health/ready`), 90_000, 250);
  await writeFile(join(dir, 'rules.yml'), renderRuleFile([driftRuleGroup(drift)]));
  const prometheus = await startPrometheus(group, dir, renderPrometheusConfig({ targets: [{ track: 'stable', metricsPort }], ruleFile: join(dir, 'rules.yml'), scrapeIntervalSeconds: 1 }), promPort);
  prometheusUrl = prometheus.url;
  await waitForTargetsUp(prometheusUrl, 1, 30_000);
}, 150_000);

afterAll(async () => {
  await group.stopAll();
  await rm(dir, { recursive: true, force: true });
});

describe('drift alert with a real Prometheus', () => {
  it('stays quiet on reference traffic, then fires for the features the shifted sample moves', async () => {
    await play(300, 21, false);
    const lengths = driftObservationCountQuery('1m', 'feature="input_ids.nonzero_per_row"');
    await waitFor('reference traffic in the window', async () => ((await vector(lengths))[0]?.value ?? 0) >= drift.minObservations, 30_000, 500);
    await sleep(3000); // three rule evaluations over the same data
    expect(await driftAlerts()).toEqual([]);
    const psi = await vector(driftPsiQuery('1m'));
    expect(psi.length).toBeGreaterThanOrEqual(4);
    for (const p of psi) expect(p.value, p.metric.feature).toBeLessThan(drift.psiAlert);

    await play(300, 22, true);
    await waitFor('InferenceDataDrift firing for input_ids.values', async () =>
      (await driftAlerts()).some((a) => a.state === 'firing' && a.labels.feature === 'input_ids.values'), 60_000, 500);
    const firing = (await driftAlerts()).filter((a) => a.state === 'firing').map((a) => a.labels.feature).sort();
    expect(firing).toContain('input_ids.nonzero_per_row');
    expect(firing).not.toContain('attention_mask.values'); // all ones in both samples: no drift there
    expect((await driftAlerts())[0]?.labels).toMatchObject({ model: 'demo', version: '1', severity: 'warning' });
  }, 150_000);
});
