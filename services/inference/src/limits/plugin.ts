/**
 * Admission control for inference calls, cheapest check first:
 *
 * 1. body limit per route: infer routes keep BODY_LIMIT_BYTES (set by src/routes), every other route gets the
 *    small ADMIN_BODY_LIMIT_BYTES as it is declared (unless it set its own) → 413;
 * 2. in-flight cap → 503 + Retry-After: the replica is saturated (admission-gate.ts, below Fastify, for cost);
 * 3. per-subject rate limit (rate-limit-plugin.ts, registered after auth so the subject is known) → 429;
 * 4. element count over all inputs (preHandler, before any tensor is allocated) → 400 naming the limit.
 * The batcher's own queue cap (429) sits behind these (src/batching); its refusals are counted here too
 * (reason queue_full), from the error they leave the infer route with.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { routeKind } from '../auth/route-policy.js';
import { InferenceError } from '../protocol/errors.js';
import type { LimitsConfig } from './config.js';

export interface LimitsPluginOptions {
  readonly config: LimitsConfig;
  readonly rejected?: Pick<Counter<'reason'>, 'inc'>;
}

export function reject(reply: FastifyReply, status: number, retryAfter: number, message: string): FastifyReply {
  return reply.code(status).header('retry-after', String(retryAfter)).send({ error: message });
}

/** Sum of the element counts the request declares; NaN when a shape is malformed (the handler reports that). */
export function declaredElements(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const inputs = (body as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs)) return 0;
  let total = 0;
  for (const input of inputs) {
    const shape = (input as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(shape)) continue;
    total += shape.reduce((n: number, d: unknown) => (typeof d === 'number' && d >= 0 ? n * d : Number.NaN), 1);
  }
  return total;
}

const limitsPlugin: FastifyPluginAsync<LimitsPluginOptions> = async (app, opts) => {
  const { config } = opts;

  app.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined || routeKind(route.url) === 'infer') return;
    route.bodyLimit = config.adminBodyLimitBytes;
  });

  // Callback style: no promise per request for a check that never waits.
  app.addHook('preHandler', (request: FastifyRequest, reply, done) => {
    if (routeKind(request.routeOptions.url) !== 'infer') return done();
    const elements = declaredElements(request.body);
    if (!(elements > config.maxRequestElements)) return done();
    opts.rejected?.inc({ reason: 'too_large' });
    reply.code(400).send({
      error: `request declares ${elements} tensor elements across its inputs; the limit is ${config.maxRequestElements} (MAX_REQUEST_ELEMENTS)`,
    });
  });

  // onError runs only for failed requests, so the success path pays nothing. On an infer route, a 429
  // InferenceError is the batcher's full queue (the rate limit answers its 429 without throwing).
  app.addHook('onError', (request, _reply, error, done) => {
    if (error instanceof InferenceError && error.statusCode === 429 && routeKind(request.routeOptions.url) === 'infer') {
      opts.rejected?.inc({ reason: 'queue_full' });
    }
    done();
  });
};

export default fp(limitsPlugin, { name: 'inference-limits', fastify: '5.x' });
