import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { shutdownDefaults, shutdownTimeoutFromEnv } from '../src/shutdown/config.js';
import { drainGate, installShutdown, type DrainState } from '../src/shutdown/drain.js';

describe('shutdown bound', () => {
  it('exits 1 when the drain outlasts SHUTDOWN_TIMEOUT_SECONDS', async () => {
    const app = Fastify();
    const state: DrainState = { draining: false };
    await app.register(drainGate, { state });
    app.get('/v2/models/:model/slow', async () => new Promise((r) => setTimeout(() => r({ ok: true }), 3000)));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = fetch(`${url}/v2/models/demo/slow`).then((r) => r.status, () => 0);
    await new Promise((r) => setTimeout(r, 50));
    const codes: number[] = [];
    const drain = installShutdown({ app, state, timeoutSeconds: 1, exit: (code) => codes.push(code), signals: [] });
    const t0 = performance.now();
    void drain('SIGTERM');
    while (codes.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(codes).toEqual([1]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    await slow;
  });

  it('defaults to a bound that fits the default terminationGracePeriodSeconds with a preStop sleep', () => {
    expect(shutdownTimeoutFromEnv({})).toBe(shutdownDefaults.timeoutSeconds);
    expect(shutdownDefaults.preStopSleepSeconds + shutdownDefaults.timeoutSeconds).toBeLessThan(shutdownDefaults.terminationGracePeriodSeconds);
    expect(() => shutdownTimeoutFromEnv({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS/);
  });
});
