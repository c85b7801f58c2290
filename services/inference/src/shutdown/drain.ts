/**
 * Graceful shutdown on SIGTERM (and SIGINT):
 *
 * 1. at once: readiness answers 503 so the endpoint controller stops routing here, and new API requests are
 *    refused with 503 + Retry-After (a gateway retries them on another replica);
 * 2. every response from now on carries `Connection: close`, so no client reuses a connection we are about to
 *    close, and we wait for the requests in flight — queued in the batcher or running on a worker — to be answered
 *    and for the traffic to go quiet (no request arrived and no answer left for 200 ms: the gateway has taken us out
 *    of rotation, and clients whose last answer said `Connection: close` have reconnected and been refused; a client
 *    that keeps retrying holds this for at most quietWaitCapMs);
 * 3. `app.close()`: Fastify stops listening, closes the (now idle) connections; onClose hooks close the worker
 *    pool, Redis and the metrics listener;
 * 4. exit 0, or exit 1 when the drain outlasts SHUTDOWN_TIMEOUT_SECONDS (Kubernetes would SIGKILL us soon after).
 * A signal within SHUTDOWN_DUPLICATE_SIGNAL_WINDOW_MS of the first is the same one delivered twice and is ignored; a
 * later one exits at once with 1.
 * Closing the listener before step 2 is done would reset keep-alive connections under clients' feet.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Counter, Gauge } from 'prom-client';
import { routeKind } from '../auth/route-policy.js';
import { shutdownDefaults } from './config.js';

export interface DrainState {
  draining: boolean;
  /** Requests being handled (all routes); maintained by the drain gate. */
  inflight?: number;
  /** performance.now() of the latest request admitted (received before the drain began). */
  lastRequestAt?: number;
  /** performance.now() of the latest request received at all, refusals and probes during the drain included. */
  lastSeenAt?: number;
  /** performance.now() of the latest answer to an admitted request (its connection may be about to reconnect). */
  lastAnsweredAt?: number;
}

/**
 * Closing the listener resets connections the kernel accepted but Node has not yet picked up, so the drain waits
 * until no request has arrived for this long before closing.
 */
export const quietPeriodMs = 200;

/**
 * How long, once nothing is in flight, the drain keeps waiting for refused requests and probes to stop arriving.
 * Closing while a client is still sending resets its connection (ECONNRESET, where it should have seen a 503 or a
 * refused connection); a client retrying faster than quietPeriodMs must not hold the drain until
 * SHUTDOWN_TIMEOUT_SECONDS either, so the wait for that quiet is capped.
 */
export const quietWaitCapMs = 5 * quietPeriodMs;

export interface DrainPluginOptions {
  readonly state: DrainState;
  /** inference_rejected_total: API requests refused while draining count as reason shutting_down. */
  readonly rejected?: Pick<Counter<'reason'>, 'inc'>;
}

const drainPlugin: FastifyPluginAsync<DrainPluginOptions> = async (app, opts) => {
  const { state } = opts;
  state.inflight = 0;
  const finished = (): void => {
    state.inflight = (state.inflight ?? 1) - 1;
    state.lastAnsweredAt = performance.now();
  };
  // Callback-style hooks: they run on every request, and the steady state (not draining) has nothing to await.
  app.addHook('onRequest', (request, reply, done) => {
    state.lastSeenAt = performance.now();
    if (!state.draining) {
      // Only requests admitted before the drain began keep it busy. Refusals and probes answered during the drain
      // must not: a client retrying faster than quietPeriodMs would hold the drain open until
      // SHUTDOWN_TIMEOUT_SECONDS and turn a healthy drain into exit 1.
      state.inflight = (state.inflight ?? 0) + 1;
      state.lastRequestAt = performance.now();
      // 'close' fires once per response, finished or aborted.
      reply.raw.on('close', finished);
      return done();
    }
    const url = request.routeOptions.url;
    if (url === '/v2/health/ready') return void reply.code(503).send({ error: 'shutting down' });
    if (routeKind(url) === 'health') return done();
    opts.rejected?.inc({ reason: 'shutting_down' });
    reply.header('retry-after', '1');
    reply.code(503).send({ error: 'shutting down: retry on another replica' });
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.draining) reply.header('connection', 'close');
    done(null, payload);
  });
};

/**
 * Resolves when no admitted request is in flight, none was admitted or answered for quietPeriodMs, and no request at
 * all arrived for quietPeriodMs — that last condition waived after quietWaitCapMs of nothing in flight (polling:
 * drains are rare and short). The quiet after the last answer matters: that answer carried `Connection: close`, and
 * its client's next request arrives on a new connection a moment later; closing the listener in that moment would
 * reset it instead of refusing it.
 */
async function settled(state: DrainState): Promise<void> {
  let idleSince: number | undefined;
  for (;;) {
    const now = performance.now();
    if ((state.inflight ?? 0) > 0) idleSince = undefined;
    else {
      idleSince ??= now;
      const admittedQuiet = now - Math.max(state.lastRequestAt ?? 0, state.lastAnsweredAt ?? 0) >= quietPeriodMs;
      const trafficQuiet = now - (state.lastSeenAt ?? 0) >= quietPeriodMs || now - idleSince >= quietWaitCapMs;
      if (admittedQuiet && trafficQuiet) return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const drainGate = fp(drainPlugin, { name: 'inference-drain', fastify: '5.x' });

export interface ShutdownOptions {
  readonly app: FastifyInstance;
  readonly state: DrainState;
  readonly timeoutSeconds: number;
  /**
   * Signals within this many ms of the first are duplicates and ignored (default
   * shutdownDefaults.duplicateSignalWindowMs); a later one exits at once.
   */
  readonly duplicateSignalWindowMs?: number;
  readonly draining?: Pick<Gauge, 'set'>;
  /** Closed after the app (the metrics listener: Prometheus may scrape until the end). */
  readonly afterClose?: () => Promise<unknown>;
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
}

/** Installs the signal handlers; returns the drain function (tests call it directly). */
export function installShutdown(opts: ShutdownOptions): (signal: string) => Promise<void> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const windowMs = opts.duplicateSignalWindowMs ?? shutdownDefaults.duplicateSignalWindowMs;
  let startedAt: number | undefined;
  const drain = async (signal: string): Promise<void> => {
    if (startedAt !== undefined) {
      const sinceFirstMs = Math.round(performance.now() - startedAt);
      // One signal often arrives twice: sent to the process group (Ctrl-C, systemd's KillMode=control-group, `kill
      // -- -pgid`) it reaches the service and npm, and npm relays it to its child (docs/service.md, "Stopping").
      if (sinceFirstMs < windowMs) {
        opts.app.log.info({ signal, since_first_ms: sinceFirstMs }, 'duplicate signal ignored: the drain goes on');
        return;
      }
      // A second Ctrl-C on a laptop, a moment later, means "now": skip the rest of the drain.
      opts.app.log.warn({ signal, since_first_ms: sinceFirstMs }, 'second signal during drain; exiting at once');
      exit(1);
      return;
    }
    startedAt = performance.now();
    opts.state.draining = true;
    opts.draining?.set(1);
    const log = opts.app.log;
    log.warn({ event: { action: 'shutdown' }, signal, timeout_s: opts.timeoutSeconds }, 'draining: readiness is 503, new requests refused');
    const timer = setTimeout(() => {
      log.error({ event: { action: 'shutdown' } }, `drain exceeded SHUTDOWN_TIMEOUT_SECONDS=${opts.timeoutSeconds}; exiting`);
      exit(1);
    }, opts.timeoutSeconds * 1000);
    try {
      await settled(opts.state);
      await opts.app.close();
      await opts.afterClose?.();
      log.info({ event: { action: 'shutdown' } }, 'drained; exiting');
      clearTimeout(timer);
      exit(0);
    } catch (error) {
      log.error({ err: error }, 'error while draining');
      clearTimeout(timer);
      exit(1);
    }
  };
  for (const signal of opts.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => void drain(signal));
  return drain;
}
