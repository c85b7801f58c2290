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
import { getServerWeight, serverStatus, setServerWeight } from './runtime-api.js';

/** A stand-in backend that says who answered; the split, not the inference, is under test here. */
function namedServer(name: string): Server {
  return createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(req.url === '/v2/health/ready' ? 'ready' : name);
  });
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
  const [stablePort, canaryPort] = [await freePort(), await freePort()];
  port = await freePort();
  socket = join(dir, 'admin.sock');
  for (const [name, p] of [['stable', stablePort], ['canary', canaryPort]] as const) {
    const server = namedServer(name);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  }
  const config = renderHaproxyConfig({ route: route(20, stablePort, canaryPort), listenPort: port, statsSocket: socket, checkIntervalMs: 200 });
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
});
