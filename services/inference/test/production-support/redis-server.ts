/**
 * Starts a real redis-server (Debian package, installed by scripts/setup-tools.sh) on a free loopback port,
 * without persistence, for one test file. Under CI=true a missing binary fails the test instead of skipping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export const redisBinary = '/usr/bin/redis-server';
export const redisAvailable = existsSync(redisBinary) || process.env.CI === 'true';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
