import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { shutdownConfigFromEnv, shutdownDefaults, shutdownTimeoutFromEnv } from '../src/shutdown/config.js';
import { drainGate, installShutdown, quietPeriodMs, type DrainState } from '../src/shutdown/drain.js';

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

  it('keeps listening for quietPeriodMs after the last answer, whose client reconnects for its next request', async () => {
    const app = Fastify();
    const state: DrainState = { draining: false };
    await app.register(drainGate, { state });
    let closedAt = 0;
    app.addHook('onClose', async () => void (closedAt = performance.now()));
    // Longer than the quiet period, so the request's own arrival is long quiet when its answer leaves.
    app.get('/v2/models/:model/slow', async () => new Promise((r) => setTimeout(() => r({ ok: true }), quietPeriodMs + 100)));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const answer = fetch(`${url}/v2/models/demo/slow`).then((r) => ({ status: r.status, connection: r.headers.get('connection'), at: performance.now() }));
    await new Promise((r) => setTimeout(r, 50));
    const codes: number[] = [];
    const drain = installShutdown({ app, state, timeoutSeconds: 5, exit: (code) => codes.push(code), signals: [] });
    void drain('SIGTERM');
    const first = await answer;
    await new Promise((r) => setTimeout(r, 30));
    const next = await fetch(`${url}/v2/models/demo/slow`).then((r) => r.status, (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message);
    while (codes.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(first.status).toBe(200);
    expect(first.connection).toBe('close');
    // The client sees the answer a little after the server finished it (same process, one event loop): half the
    // quiet period still separates "waited" from "closed at the next 20 ms poll" (~10 ms without the wait).
    expect(closedAt - first.at).toBeGreaterThanOrEqual(quietPeriodMs / 2);
    expect([503, 'ECONNREFUSED']).toContain(next);
    expect(codes).toEqual([0]);
  });

  it('ignores a duplicate signal within the window and exits at once on a later one', async () => {
    const app = Fastify();
    const state: DrainState = { draining: false };
    await app.register(drainGate, { state });
    app.get('/v2/models/:model/slow', async () => new Promise((r) => setTimeout(() => r({ ok: true }), 600)));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = fetch(`${url}/v2/models/demo/slow`).then((r) => r.status, (e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 50));
    const codes: number[] = [];
    const drain = installShutdown({ app, state, timeoutSeconds: 10, duplicateSignalWindowMs: 10_000, exit: (code) => codes.push(code), signals: [] });
    // The group's SIGTERM, then npm's relay of it (and tsx's, for who still starts the service through the tsx CLI).
    const first = drain('SIGTERM');
    await drain('SIGTERM');
    await drain('SIGINT');
    await first;
    expect(await slow).toBe(200);
    expect(codes).toEqual([0]);

    const app2 = Fastify();
    const state2: DrainState = { draining: false };
    await app2.register(drainGate, { state: state2 });
    app2.get('/v2/models/:model/slow', async () => new Promise((r) => setTimeout(() => r({ ok: true }), 5000)));
    const url2 = await app2.listen({ host: '127.0.0.1', port: 0 });
    const held = fetch(`${url2}/v2/models/demo/slow`).then((r) => r.status, (e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 50));
    const codes2: number[] = [];
    const drain2 = installShutdown({ app: app2, state: state2, timeoutSeconds: 10, duplicateSignalWindowMs: 100, exit: (code) => codes2.push(code), signals: [] });
    void drain2('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    expect(codes2).toEqual([]);
    // A deliberate second Ctrl-C, after the window: exit now, the held request notwithstanding.
    await drain2('SIGINT');
    expect(codes2).toEqual([1]);
    await app2.close();
    await held;
  });

  it('reads SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS', () => {
    expect(shutdownConfigFromEnv({})).toEqual({ timeoutSeconds: 20, duplicateSignalWindowMs: shutdownDefaults.duplicateSignalWindowMs });
    expect(shutdownConfigFromEnv({ SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS: '0' }).duplicateSignalWindowMs).toBe(0);
    expect(() => shutdownConfigFromEnv({ SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS: 'soon' })).toThrow(/SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS/);
  });

  it('defaults to a bound that fits the default terminationGracePeriodSeconds with a preStop sleep', () => {
    expect(shutdownTimeoutFromEnv({})).toBe(shutdownDefaults.timeoutSeconds);
    expect(shutdownDefaults.preStopSleepSeconds + shutdownDefaults.timeoutSeconds).toBeLessThan(shutdownDefaults.terminationGracePeriodSeconds);
    expect(() => shutdownTimeoutFromEnv({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS/);
  });
});
