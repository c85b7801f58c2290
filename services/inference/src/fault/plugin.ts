/**
 * Injects the configured faults into inference calls (preHandler: after authentication and limits, so the
 * rehearsal's faults look like the model misbehaving, and the metrics and audit log record them like real outcomes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Counter } from 'prom-client';
import { routeKind } from '../auth/route-policy.js';
import { faultsEnabled, type FaultConfig } from './config.js';

export interface FaultPluginOptions {
  readonly config: FaultConfig;
  readonly injected?: Pick<Counter<'kind'>, 'inc'>;
  /** Uniform [0,1) source; injectable so a test can pin which calls fail. */
  readonly random?: () => number;
}

const faultPlugin: FastifyPluginAsync<FaultPluginOptions> = async (app, opts) => {
  const { config } = opts;
  if (!faultsEnabled(config)) return;
  const random = opts.random ?? Math.random;
  app.log.warn(
    { event: { action: 'fault-injection' }, fault: { delay_ms: config.delayMs, error_rate: config.errorRate } },
    'FAULT INJECTION IS ON: inference calls are delayed and/or fail on purpose (FAULT_DELAY_MS, FAULT_ERROR_RATE)',
  );
  app.addHook('preHandler', async (request, reply) => {
    if (routeKind(request.routeOptions.url) !== 'infer') return;
    if (config.delayMs > 0) {
      opts.injected?.inc({ kind: 'delay' });
      await sleep(config.delayMs);
    }
    if (config.errorRate > 0 && random() < config.errorRate) {
      opts.injected?.inc({ kind: 'error' });
      return reply.code(500).send({ error: 'injected fault' });
    }
  });
};

export default fp(faultPlugin, { name: 'inference-fault', fastify: '5.x' });
