import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPinHeader, type CanaryRouteModel } from '../../stacks/components/gateway/route-model.js';
import { freePort } from '../lib/ports.js';
import { ProcessGroup } from '../lib/processes.js';
import { waitFor } from '../lib/wait.js';
import { haproxyNames, renderHaproxyConfig } from './config.js';
import { checkHaproxyConfig, startHaproxy } from './process.js';
import { getServerWeight, serverStats, serverStatus, setServerWeight } from './runtime-api.js';

/** Short, as in the rehearsal, so that a dead server leaves rotation quickly. */
const checkIntervalMs = 200;
/** Delay before each server's readiness answer: stands in for a backend stalled by a busy machine. */
const readyDelayMs: Record<string, number> = { stable: 0, canary: 0 };

/** A stand-in backend that says who answered; the split, not the inference, is under test here. */
function namedServer(name: string): Server {
  return createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    if (req.url !== '/v2/health/ready') return void res.end(name);
    setTimeout(() => res.end('ready'), readyDelayMs[name] ?? 0);
  });
}

/** Listens on a port the kernel picks, so no other process can take it between choosing and binding. */
async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const group = new ProcessGroup();
const servers: Server[] = [];
let dir = '';
let port = 0;
let socket = '';

function route(canaryWeight: number, stablePort: number, canaryPort: number): CanaryRouteModel {
  return {
    hostnames: ['inference.local'],
    pathPrefix: '/v2',
    stable: { name: 'stable', port: stablePort },
    canary: { name: 'canary', port: canaryPort },
    canaryWeight,
    pinHeader: canaryPinHeader,
  };
}

async function countAnswers(requests: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < requests; i += 1) {
    const res = await fetch(`http://127.0.0.1:${port}/v2/models/demo/infer`, { method: 'POST', headers });
    const who = await res.text();
    counts[who] = (counts[who] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haproxy-'));
  servers.push(namedServer('stable'), namedServer('canary'));
  const [stablePort, canaryPort] = [await listenOnLoopback(servers[0]!), await listenOnLoopback(servers[1]!)];
  port = await freePort();
  socket = join(dir, 'admin.sock');
  const config = renderHaproxyConfig({ route: route(20, stablePort, canaryPort), listenPort: port, statsSocket: socket, checkIntervalMs });
  await startHaproxy(group, dir, config, socket);
  await waitFor('both servers UP', async () =>
    (await serverStatus(socket, haproxyNames.splitBackend, 'stable')) === 'UP' &&
    (await serverStatus(socket, haproxyNames.splitBackend, 'canary')) === 'UP', 10_000);
});

afterAll(async () => {
  await group.stopAll();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

describe('HAProxy rendered from the route model', () => {
  it('passes `haproxy -c`, and a broken config does not', async () => {
    expect(await checkHaproxyConfig(join(dir, 'haproxy.cfg'))).toMatch(/Configuration file is valid/);
    await writeFile(join(dir, 'broken.cfg'), 'frontend x\n    bind 127.0.0.1:1\n    use_backend nowhere\n');
    await expect(checkHaproxyConfig(join(dir, 'broken.cfg'))).rejects.toThrow(/haproxy -c rejected/);
    expect(() => renderHaproxyConfig({ route: route(20, 1, 2), listenPort: 3, statsSocket: socket, checkTimeoutMs: 0 }))
      .toThrow(/checkTimeoutMs must be a positive whole number of milliseconds, got 0/);
  });

  it('splits unpinned traffic 80/20 by the model weight', async () => {
    const counts = await countAnswers(200);
    expect((counts['canary'] ?? 0) / 200).toBeGreaterThanOrEqual(0.15);
    expect((counts['canary'] ?? 0) / 200).toBeLessThanOrEqual(0.25);
    expect((counts['stable'] ?? 0) + (counts['canary'] ?? 0)).toBe(200);
  });

  it('pins requests carrying x-canary: always to the canary', async () => {
    expect(await countAnswers(40, { [canaryPinHeader.name]: canaryPinHeader.value })).toEqual({ canary: 40 });
  });

  it('moves the weight at runtime through the stats socket, verified with get weight', async () => {
    await setServerWeight(socket, haproxyNames.splitBackend, 'canary', 0);
    expect(await getServerWeight(socket, haproxyNames.splitBackend, 'canary')).toBe(0);
    expect(await countAnswers(50)).toEqual({ stable: 50 });
    await setServerWeight(socket, haproxyNames.splitBackend, 'canary', 100);
    await setServerWeight(socket, haproxyNames.splitBackend, 'stable', 0);
    expect(await countAnswers(50)).toEqual({ canary: 50 });
  });

  it('answers 404 outside the route prefix and reports a bad runtime command clearly', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/admin`)).status).toBe(404);
    await expect(setServerWeight(socket, haproxyNames.splitBackend, 'nosuch', 5)).rejects.toThrow(/HAProxy answered/);
  });

  it('keeps a server in rotation while its readiness answers take longer than `inter` (timeout check)', async () => {
    // Without `timeout check`, HAProxy gives up on a check after `inter` (200 ms here): none of these checks could
    // pass and the canary would go DOWN. A stall of a few hundred ms must not take a live server out.
    readyDelayMs['canary'] = 3 * checkIntervalMs;
    try {
      await waitFor('a canary check slower than inter to pass', async () => {
        const stats = await serverStats(socket, haproxyNames.splitBackend, 'canary');
        return stats['check_status'] === 'L7OK' && Number(stats['check_duration']) >= 3 * checkIntervalMs;
      }, 10_000, 50);
      expect(await serverStatus(socket, haproxyNames.splitBackend, 'canary')).toMatch(/^UP/);
    } finally {
      readyDelayMs['canary'] = 0;
    }
  });

  it('takes a dead canary out of rotation: unpinned traffic all goes to stable, pinned traffic gets 503', async () => {
    await setServerWeight(socket, haproxyNames.splitBackend, 'stable', 80);
    await setServerWeight(socket, haproxyNames.splitBackend, 'canary', 20);
    const canary = servers[1]!;
    canary.closeAllConnections();
    await new Promise((resolve) => canary.close(resolve));
    // Refused connections fail each check at once, so `fall` checks `inter` apart mark it DOWN in well under a second.
    await waitFor('the dead canary DOWN', async () =>
      (await serverStatus(socket, haproxyNames.splitBackend, 'canary')) === 'DOWN', 10_000, 50);
    expect(await countAnswers(40)).toEqual({ stable: 40 });
    // The gate sends pinned traffic; a dead canary answers it with errors, which the rollout judges as a failure.
    const pinned = await fetch(`http://127.0.0.1:${port}/v2/models/demo/infer`, { method: 'POST', headers: { [canaryPinHeader.name]: canaryPinHeader.value } });
    await pinned.arrayBuffer();
    expect(pinned.status).toBe(503);
  });
});
