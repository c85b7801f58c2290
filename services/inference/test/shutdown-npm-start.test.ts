/**
 * Shutdown the way users start the service: `npm start` (npm → sh → tsx → node), SIGTERM sent to the whole process
 * group — what Ctrl-C in a terminal, systemd's KillMode=control-group and a container whose PID 1 is npm do — with
 * 300 requests in flight on keep-alive connections. The server gets the signal more than once (from the group,
 * and relayed by npm); the duplicates must not cut the drain short: every request in flight is answered.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoInfer } from './production-support/real-service.js';
import { freePort } from './production-support/redis-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const inFlight = 300;

interface Outcome {
  readonly status?: number;
  readonly error?: string;
}

function post(agent: Agent, port: number, body: unknown): Promise<Outcome> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path: '/v2/models/demo/infer', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(data);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while any process of the group exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gauge(url: string, name: string): Promise<number> {
  const text = await fetch(url).then((r) => r.text(), () => '');
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

describe('shutdown under npm start', () => {
  it('answers all 300 in-flight requests when SIGTERM reaches the whole process group', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    // Its own process group (detached), as a terminal's foreground job or a systemd unit is.
    const child = spawn('npm', ['start', '--silent'], {
      cwd: packageDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        WORKER_THREADS: '1',
        INTRA_OP_THREADS: '1',
        CACHE_ENABLED: 'false',
        // Holds every request in the service long enough for all 300 to be in flight when the signal lands, even on
        // a loaded machine (they arrive within a second or so).
        FAULT_DELAY_MS: '12000',
        SHUTDOWN_TIMEOUT_SECONDS: '30',
        LOG_LEVEL: 'info',
        MAX_INFLIGHT_REQUESTS: '1000',
        npm_config_update_notifier: 'false',
      },
    });
    const pgid = child.pid as number;
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts.filter((l) => l.startsWith('{'))) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; !(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false)); i++) {
        if (child.exitCode !== null || i > 600) throw new Error(`service not ready (exit ${child.exitCode}): ${stderr}`);
        await sleep(100);
      }
      // One keep-alive connection per request, each used once before: the connections are open and idle, as a
      // client pool's are, when the load arrives.
      await Promise.all(Array.from({ length: inFlight }, () => fetchLive(agent, port)));

      const outcomes = Array.from({ length: inFlight }, (_, i) => post(agent, port, demoInfer(i)));
      // Signal once the service holds all of them (its in-flight gauge), not after a fixed time.
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      let held = 0;
      for (let waited = 0; held < inFlight && waited < 20_000; waited += 50) {
        held = await gauge(metricsUrl, 'inference_inflight_requests');
        if (held < inFlight) await sleep(50);
      }
      process.kill(-pgid, 'SIGTERM');
      // npm relays the signal to the service at once, but the kernel merges two SIGTERMs that are both still
      // pending, so that duplicate is not certain; the group gets the signal once more 100 ms later (as a second
      // `kill`, systemd's stop job or tsx's relay after its 30 ms would send it), well inside the window.
      await sleep(100);
      process.kill(-pgid, 'SIGTERM');
      const results = await Promise.all(outcomes);
      for (let waited = 0; groupAlive(pgid) && waited < 40_000; waited += 50) await sleep(50);

      const byOutcome = new Map<string, number>();
      for (const r of results) byOutcome.set(String(r.status ?? r.error), (byOutcome.get(String(r.status ?? r.error)) ?? 0) + 1);
      expect(held).toBe(inFlight);
      expect(Object.fromEntries(byOutcome)).toEqual({ '200': inFlight });
      expect(groupAlive(pgid)).toBe(false);
      const messages = lines.map((l) => l.message);
      expect(messages).toContain('drained; exiting');
      expect(messages).not.toContain('second signal during drain; exiting at once');
      // The duplicates did arrive and were recognised as such (the reproduction of the bug, not a lucky run).
      expect(lines.filter((l) => l.message === 'duplicate signal ignored: the drain goes on').length).toBeGreaterThanOrEqual(1);
    } finally {
      agent.destroy();
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 90_000);
});

function fetchLive(agent: Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path: '/v2/health/live' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}
