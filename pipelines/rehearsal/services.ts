/**
 * The real processes of the rehearsal besides the gateway and Prometheus: Redis and two instances of the
 * inference service (stable and canary), each on free loopback ports.
 */
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort } from '../lib/ports.js';
import type { ProcessGroup } from '../lib/processes.js';
import { answers200, waitFor } from '../lib/wait.js';
import type { Instance } from './gateway-and-metrics.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const serverEntry = join(repoRoot, 'services/inference/src/server.ts');

/** `redis-server` from Debian on a free port, no persistence; returns its URL. */
export async function startRedis(group: ProcessGroup, dir: string): Promise<string> {
  const port = await freePort();
  group.start({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    logFile: join(dir, 'redis.log'),
  });
  await waitFor(`redis-server on ${port}`, () => new Promise<boolean>((ok) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
    socket.on('data', (d) => { socket.destroy(); ok(String(d).startsWith('+PONG')); });
    socket.on('error', () => ok(false));
  }), 10_000);
  return `redis://127.0.0.1:${port}`;
}

export interface ServiceInstanceOptions {
  readonly track: 'stable' | 'canary';
  readonly redisUrl: string;
  /** Extra environment, e.g. fault injection for the canary. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Spawns `node --import tsx services/inference/src/server.ts` with the ports in the environment, authentication
 * off (loopback only) and the shared Redis; waits for readiness and for the metrics listener.
 */
export async function startServiceInstance(group: ProcessGroup, dir: string, o: ServiceInstanceOptions): Promise<Instance> {
  const [apiPort, metricsPort] = [await freePort(), await freePort()];
  const started = group.start({
    name: `inference-${o.track}`,
    command: process.execPath,
    args: ['--import', 'tsx', serverEntry],
    cwd: repoRoot,
    env: {
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      METRICS_PORT: String(metricsPort),
      AUTH_MODE: 'none',
      REDIS_URL: o.redisUrl,
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    logFile: join(dir, `inference-${o.track}.log`),
  });
  const log = join(dir, `inference-${o.track}.log`);
  // Fail at once when the process dies during start-up instead of waiting out the readiness timeout.
  const died = started.exited.then((code) => {
    throw new Error(`${o.track} instance exited (${code}) before it was ready; see ${log}`);
  });
  await Promise.race([
    waitFor(`${o.track} instance ready on ${apiPort} (log: ${log})`, () => answers200(`http://127.0.0.1:${apiPort}/v2/health/ready`), 90_000, 500),
    died,
  ]);
  died.catch(() => undefined);
  await waitFor(`${o.track} instance metrics on METRICS_PORT ${metricsPort}`,
    () => answers200(`http://127.0.0.1:${metricsPort}/metrics`), 10_000, 500);
  return { apiPort, metricsPort };
}
