/** Starting a real Prometheus (Debian's /usr/bin/prometheus) on a loopback port with its data in a scratch folder. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessGroup, Started } from '../lib/processes.js';
import { answers200, waitFor } from '../lib/wait.js';

export interface RunningPrometheus {
  readonly process: Started;
  readonly url: string;
}

export async function startPrometheus(group: ProcessGroup, dir: string, config: string, port: number): Promise<RunningPrometheus> {
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, config);
  const started = group.start({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
    ],
    logFile: join(dir, 'prometheus.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`Prometheus at ${url}`, () => answers200(`${url}/-/ready`), 20_000);
  return { process: started, url };
}

/**
 * Waits until Prometheus scrapes `count` targets successfully. Its discovery manager batches updates every 5 s,
 * so right after start the target list is empty and a query would see no data.
 */
export async function waitForTargetsUp(url: string, count: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(`${count} Prometheus targets up`, async () => {
    const res = await fetch(`${url}/api/v1/targets?state=active`);
    const body = (await res.json()) as { data: { activeTargets: { health: string }[] } };
    return body.data.activeTargets.filter((t) => t.health === 'up').length === count;
  }, timeoutMs, 500);
}

/** Names of the rule groups Prometheus has loaded (`/api/v1/rules`), to prove the alert rules are in place. */
export async function loadedRuleGroups(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/rules`);
  const body = (await res.json()) as { data: { groups: { name: string }[] } };
  return body.data.groups.map((g) => g.name);
}
