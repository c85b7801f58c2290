/**
 * Starts a real redis-server (Debian package, installed by scripts/setup-tools.sh) on a free loopback port,
 * without persistence, for one test file. Under CI=true a missing binary fails the test instead of skipping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export const redisBinary = '/usr/bin/redis-server';
export const redisAvailable = existsSync(redisBinary) || process.env.CI === 'true';

/** The first port the kernel hands out for outgoing connections (Linux); below it, only explicit binds take ports. */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

const handedOut = new Set<number>();

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A free loopback port for a child process to bind a moment later. Chosen at random below the ephemeral range: a
 * port the kernel picked (listen on 0) sits in that range, where any outgoing connection — another test's burst of
 * sockets — can take it before the child starts (EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  const low = 20_000;
  const high = Math.max(low + 1000, ephemeralLow());
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    // Never the same port twice from this process (a service's API and metrics ports are chosen back to back).
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
}

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  /** SIGKILL: the outage a test wants to survive. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: Redis hangs (commands wait) without dropping connections. */
  pause(): void;
  resume(): void;
}

export async function startRedis(port?: number, extraArgs: readonly string[] = []): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(redisBinary, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], {
    stdio: 'ignore',
  });
  await waitForPort(p, 5000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
}
