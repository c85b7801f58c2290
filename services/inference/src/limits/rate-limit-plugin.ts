/**
 * Per-subject rate limit on inference calls → 429 + Retry-After. The subject is the token's `sub` when
 * authenticated, the client address otherwise (AUTH_MODE=none). Register after the auth plugin: Fastify runs
 * onRequest hooks in registration order.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Counter } from 'prom-client';
import { routeKind } from '../auth/route-policy.js';
import { reject } from './plugin.js';
import type { RateLimiter } from './token-bucket.js';

export interface RateLimitPluginOptions {
  readonly limiter: RateLimiter;
  readonly rejected?: Pick<Counter<'reason'>, 'inc'>;
}

const rateLimitPlugin: FastifyPluginAsync<RateLimitPluginOptions> = async (app, opts) => {
  app.addHook('onRequest', async (request, reply) => {
    if (routeKind(request.routeOptions.url) !== 'infer') return;
    const subject = request.principal?.authenticated ? `sub:${request.principal.subject}` : `ip:${request.ip}`;
    const decision = await opts.limiter.take(subject);
    if (decision.allowed) return;
    opts.rejected?.inc({ reason: 'rate_limit' });
    return reject(reply, 429, decision.retryAfterSeconds, 'rate limit exceeded for this caller; retry after the Retry-After delay');
  });
};

export default fp(rateLimitPlugin, { name: 'inference-rate-limit', fastify: '5.x' });
