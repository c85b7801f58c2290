/**
 * Starting a real HAProxy (Debian's /usr/sbin/haproxy) on a rendered configuration: validated with `haproxy -c`
 * first, then run in the foreground (`-db`) under a ProcessGroup so it is always stopped.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProcessGroup, Started } from '../lib/processes.js';
import { waitFor } from '../lib/wait.js';
import { runtimeCommand } from './runtime-api.js';

const run = promisify(execFile);

/** `haproxy -c`: returns HAProxy's own message; throws with it when the configuration is invalid. */
export async function checkHaproxyConfig(file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('haproxy', ['-c', '-f', file]);
    return `${stdout}${stderr}`.trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`haproxy -c rejected ${file}: ${e.stderr ?? ''}${e.stdout ?? ''}`.trim());
  }
}

export interface RunningHaproxy {
  readonly process: Started;
  readonly statsSocket: string;
  readonly configFile: string;
}

/** Writes the config into `dir`, checks it, starts HAProxy and waits until its runtime API answers. */
export async function startHaproxy(
  group: ProcessGroup,
  dir: string,
  config: string,
  statsSocket: string,
): Promise<RunningHaproxy> {
  const configFile = join(dir, 'haproxy.cfg');
  await writeFile(configFile, config);
  await checkHaproxyConfig(configFile);
  const started = group.start({
    name: 'haproxy',
    command: 'haproxy',
    args: ['-db', '-f', configFile],
    logFile: join(dir, 'haproxy.log'),
  });
  await waitFor('HAProxy runtime API', async () => (await runtimeCommand(statsSocket, 'show info')).includes('Name: HAProxy'), 10_000);
  return { process: started, statsSocket, configFile };
}
