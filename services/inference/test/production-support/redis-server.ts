/**
 * Starts a real redis-server (Debian package, installed by scripts/setup-tools.sh) on a free loopback port,
 * without persistence, for one test file. Under CI=true a missing binary fails the test instead of skipping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort as freeLoopbackPort } from '../../../../pipelines/lib/ports.js';

export const redisBinary = '/usr/bin/redis-server';
export const redisAvailable = existsSync(redisBinary) || process.env.CI === 'true';

/** Free ports for this package's tests: the pipelines' picker (claimed, below the ephemeral range), above its range. */
export const freePort = (): Promise<number> => freeLoopbackPort({ lowest: 20_000, below: Number.POSITIVE_INFINITY });

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

export async function startRedis(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(redisBinary, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
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
