import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryPinHeader, type CanaryRouteModel } from '../../stacks/components/gateway/route-model.js';
import { freePort } from '../lib/ports.js';
import { ProcessGroup } from '../lib/processes.js';
import { waitFor } from '../lib/wait.js';
import { renderNginxConfig } from './config.js';

const run = promisify(execFile);
const group = new ProcessGroup();
const servers: Server[] = [];
let dir = '';
let port = 0;
let ports: [number, number] = [0, 0];

const route = (canaryWeight: number): CanaryRouteModel => ({
  hostnames: ['localhost'],
  pathPrefix: '/v2',
  stable: { name: 'stable', port: ports[0] },
  canary: { name: 'canary', port: ports[1] },
  canaryWeight,
  pinHeader: canaryPinHeader,
});

/** `nginx -t` on a config file; `-e stderr` keeps nginx away from /var/log when not root. */
async function nginxTest(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stderr } = await run('nginx', ['-e', 'stderr', '-t', '-p', dir, '-c', file]);
    return { ok: true, output: stderr };
  } catch (error) {
    return { ok: false, output: (error as { stderr?: string }).stderr ?? '' };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nginx-'));
  ports = [await freePort(), await freePort()];
  port = await freePort();
  for (const [name, p] of [['stable', ports[0]], ['canary', ports[1]]] as const) {
    const server = createServer((_req, res) => res.end(name));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  }
});

afterAll(async () => {
  await group.stopAll();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

describe('NGINX rendered from the route model', () => {
  it('passes `nginx -t` at 0, 20 and 100 %, and a broken config does not', async () => {
    for (const weight of [0, 20, 100]) {
      const file = join(dir, `nginx-${weight}.conf`);
      await writeFile(file, renderNginxConfig({ route: route(weight), listenPort: port, prefix: dir }));
      const result = await nginxTest(file);
      expect(result.output, `weight ${weight}`).toContain('test is successful');
    }
    await writeFile(join(dir, 'broken.conf'), 'events {}\nhttp { split_clients "$x" $y { 120% a; } }\n');
    expect((await nginxTest(join(dir, 'broken.conf'))).ok).toBe(false);
  });

  it('splits unpinned traffic about 80/20 and pins x-canary: always to the canary', async () => {
    const file = join(dir, 'nginx.conf');
    await writeFile(file, renderNginxConfig({ route: route(20), listenPort: port, prefix: dir }));
    group.start({ name: 'nginx', command: 'nginx', args: ['-e', 'stderr', '-p', dir, '-c', file, '-g', 'daemon off;'] });
    await waitFor('nginx', async () => (await fetch(`http://127.0.0.1:${port}/v2/x`)).ok, 10_000);
    const count = async (n: number, headers: Record<string, string> = {}): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < n; i += 1) {
        const who = await (await fetch(`http://127.0.0.1:${port}/v2/models/demo/infer`, { method: 'POST', headers })).text();
        counts[who] = (counts[who] ?? 0) + 1;
      }
      return counts;
    };
    // split_clients hashes a random id: 500 requests put the canary share within ±6 points (> 3 standard deviations).
    const split = await count(500);
    expect(((split['canary'] ?? 0) / 500)).toBeGreaterThan(0.14);
    expect(((split['canary'] ?? 0) / 500)).toBeLessThan(0.26);
    expect(await count(30, { [canaryPinHeader.name]: canaryPinHeader.value })).toEqual({ canary: 30 });
    expect((await fetch(`http://127.0.0.1:${port}/admin`)).status).toBe(404);
  });
});
