/**
 * Free loopback ports for the child processes (HAProxy, Prometheus, Redis, the service) that tests and the rehearsal
 * start — in pipelines/ and in services/inference's tests. A child binds its port a moment to seconds after it is
 * chosen, so the choice must stay free meanwhile:
 * - Not a port the kernel picked (listen on 0): that lies in the ephemeral range, where every other process's listen
 *   on 0 (and, failing other ports, its outgoing connections) draws at random. Ports come from below that range,
 *   where only explicit binds land: 10000–19999 for pipelines, 20000 up for services/inference's tests.
 * - Two test files run at once (vitest maxWorkers 2): each choice is claimed with an exclusive file, so no other
 *   process hands out the same port. Claims go when the process exits normally and otherwise expire (vitest tears
 *   its workers down without an 'exit' event).
 */
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Ports [lowest, below) to draw from; the top is further capped by the start of the ephemeral range. */
export interface PortRange {
  readonly lowest: number;
  readonly below: number;
}

const pipelinesRange: PortRange = { lowest: 10_000, below: 20_000 };
/**
 * A claim older than this is left over: a child binds its port within seconds, and the slowest start waited on (the
 * service instance's readiness, 90 s) gives up sooner, so by then the port is bound (and fails canListen) or unused.
 */
const claimLifetimeMs = 2 * 60_000;
const claimDir = join(tmpdir(), `loopback-port-claims-${userInfo().uid}`);
const claimed = new Set<string>();

/** A port on 127.0.0.1 that was free when checked and that no other test process will hand out. */
export async function freePort(range: PortRange = pipelinesRange): Promise<number> {
  const { lowest } = range;
  const highest = Math.min(range.below, ephemeralRangeStart()) - 1;
  if (highest - lowest < 1000) return kernelChosenPort();
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = lowest + Math.floor(Math.random() * (highest - lowest + 1));
    if (claim(port) && (await canListen(port))) return port;
  }
  throw new Error(`no free loopback port found between ${lowest} and ${highest}`);
}

/** First port of the kernel's ephemeral range (Linux); 32768 elsewhere, the usual Linux default. */
function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

let initialized = false;

/**
 * Takes the claim file for `port`, or returns false if another process holds it. Stale claims are removed only by
 * the sweep when this process starts claiming: taking one over here could race another process doing the same
 * (both remove, one re-creates, the other removes that) and hand the port out twice.
 */
function claim(port: number): boolean {
  if (!initialized) {
    initialized = true;
    mkdirSync(claimDir, { recursive: true });
    sweepStaleClaims();
    process.once('exit', releaseClaims);
  }
  const file = join(claimDir, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    claimed.add(file);
    return true;
  } catch {
    return false;
  }
}

function isStale(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > claimLifetimeMs;
  } catch {
    return true;
  }
}

/** Claims of processes that were killed before their 'exit' handler ran (a test worker torn down, a SIGKILL). */
function sweepStaleClaims(): void {
  for (const name of readdirSync(claimDir)) {
    const file = join(claimDir, name);
    if (isStale(file)) rmSync(file, { force: true });
  }
}

function releaseClaims(): void {
  for (const file of claimed) rmSync(file, { force: true });
  claimed.clear();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Fallback for a machine whose ephemeral range starts near the range asked for: the kernel's choice, with its small race. */
function kernelChosenPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
