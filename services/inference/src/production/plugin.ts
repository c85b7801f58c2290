/**
 * The production layer as one Fastify plugin, registered by app.ts before the routes.
 *
 * Order matters: Fastify runs hooks of one kind in registration order. Per inference call:
 *   (below Fastify: the admission gate sheds load beyond MAX_INFLIGHT_REQUESTS with 503, limits/admission-gate.ts)
 *   onRequest  metrics (labels, in-flight) → drain gate (503 while shutting down) → auth (401/403)
 *              → per-subject rate limit (429)
 *   preHandler element-count limit (400) → fault injection (delay / 500) → cache lookup (hit answers here)
 *   handler    the batcher and workers (src/routes), inside the drift interceptor (src/drift)
 *   onSend     cache store, x-request-id
 *   onResponse request counter + latency histogram, audit record, tenant usage counters
 * so the cheapest refusals come first and every answer, refusals included, is counted and logged.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import authPlugin from '../auth/plugin.js';
import { routeKind } from '../auth/route-policy.js';
import { createVerifier } from '../auth/verifier.js';
import cachePlugin from '../cache/plugin.js';
import { LruStore } from '../cache/lru-store.js';
import { createRedisClient } from '../cache/redis-client.js';
import { RedisStore } from '../cache/redis-store.js';
import { ResultCache } from '../cache/result-cache.js';
import driftPlugin from '../drift/plugin.js';
import faultPlugin from '../fault/plugin.js';
import limitsPlugin from '../limits/plugin.js';
import rateLimitPlugin from '../limits/rate-limit-plugin.js';
import { RedisWindowLimiter } from '../limits/redis-window.js';
import { TokenBuckets, type RateLimiter } from '../limits/token-bucket.js';
import accessLogPlugin from '../logging/access.js';
import type { InferenceMetrics } from '../metrics/instruments.js';
import metricsPlugin, { type VersionResolver } from '../metrics/plugin.js';
import { drainGate, type DrainState } from '../shutdown/drain.js';
import usagePlugin from '../usage/plugin.js';
import tracingPlugin, { phase } from '../tracing/plugin.js';
import type { Tracing } from '../tracing/sdk.js';
import type { ProductionConfig } from './config.js';

export interface ProductionPluginOptions {
  readonly config: ProductionConfig;
  readonly metrics: InferenceMetrics;
  readonly drain: DrainState;
  /** The version a (model, requested version) names, in any state; undefined when unknown. Bounds metric labels. */
  readonly resolveVersion: VersionResolver;
  /** Like resolveVersion, but undefined unless that version is ready: the cache answers only for servable versions. */
  readonly readyVersion?: VersionResolver;
  /** From the runtime: gives the admission gate the resolver for labelling shed requests. */
  readonly labelShedRequests?: (resolve: VersionResolver) => void;
  /** OpenTelemetry, when on: the server span, and auth and cache lookup as child spans (src/tracing). */
  readonly tracing?: Tracing;
}

const productionPlugin: FastifyPluginAsync<ProductionPluginOptions> = async (app, opts) => {
  const { config, metrics } = opts;
  opts.labelShedRequests?.(opts.resolveVersion);
  let redis: Redis | undefined;
  if (config.cache.redisUrl !== undefined) {
    let lastLogged = 0;
    redis = createRedisClient({
      url: config.cache.redisUrl,
      commandTimeoutMs: config.cache.redisTimeoutMs,
      onError: (error) => {
        // Reconnect attempts fail every few hundred ms while Redis is down; one line per 10 s is enough.
        if (Date.now() - lastLogged < 10_000) return;
        lastLogged = Date.now();
        app.log.warn({ err: error }, 'redis unavailable: serving uncached and rate limiting locally until it is back');
      },
    });
    app.addHook('onClose', async () => redis?.disconnect());
  }

  // First, so the server span and the trace ids in request.log cover every later hook.
  if (opts.tracing) await app.register(tracingPlugin, { tracing: opts.tracing });
  const auth = phase('auth', 'onRequest', (request) => ({ 'enduser.authenticated': request.principal?.authenticated ?? false }));
  const cacheLookup = phase(
    'cache.lookup',
    'preHandler',
    (request) => ({ 'inference.cache': request.cacheOutcome ?? 'bypass' }),
    (request) => routeKind(request.routeOptions.url) === 'infer',
  );
  await app.register(metricsPlugin, { metrics, resolveVersion: opts.resolveVersion });
  await app.register(accessLogPlugin);
  await app.register(usagePlugin, { config: config.usage, metrics });
  await app.register(drainGate, { state: opts.drain, rejected: metrics.rejected });
  await app.register(limitsPlugin, { config: config.limits, rejected: metrics.rejected });

  if (config.auth.mode === 'none') {
    app.log.warn('AUTH_MODE=none: every caller is trusted with every scope; use only on loopback or behind an authenticating gateway');
  }
  if (opts.tracing) await app.register(auth.start);
  await app.register(authPlugin, {
    verify: config.auth.mode === 'jwt' ? createVerifier(config.auth) : undefined,
    failures: metrics.authFailures,
  });
  if (opts.tracing) await app.register(auth.end);

  if (config.limits.ratePerSecond > 0) {
    const local = new TokenBuckets(config.limits.ratePerSecond, config.limits.burst);
    // A Redis failure falls back to the local buckets; counted with the cache's Redis errors (same Redis) and logged.
    const onRedisError = (error: unknown): void => {
      metrics.cacheErrors.inc({ operation: 'rate_limit' });
      app.log.debug({ err: error }, 'rate limit: redis failed; limiting locally');
    };
    const limiter: RateLimiter = redis ? new RedisWindowLimiter(redis, config.limits.burst, local, onRedisError) : local;
    await app.register(rateLimitPlugin, { limiter, rejected: metrics.rejected });
  }

  await app.register(faultPlugin, { config: config.fault, injected: metrics.faultsInjected });
  // The drift interceptor needs app.ts's model registry and interceptor chain; the production layer's own test
  // fixture (test/production-support/fixture-app.ts) runs without them.
  if (app.hasDecorator('inferInterceptors') && app.hasDecorator('modelRegistry')) await app.register(driftPlugin, { metrics });

  if (config.cache.enabled) {
    if (config.cache.redisUrl !== undefined && config.cache.hmacKeyGenerated) {
      app.log.warn('CACHE_HMAC_KEY is unset: cache keys differ per replica, so replicas do not share Redis entries');
    }
    const store = redis
      ? new RedisStore({ client: redis })
      : new LruStore({ maxEntries: config.cache.maxEntries, maxBytes: config.cache.maxBytes });
    const cache = new ResultCache({
      store,
      ttlSeconds: config.cache.ttlSeconds,
      keyRing: config.cache.keyRing,
      counters: { hits: metrics.cacheHits, misses: metrics.cacheMisses, errors: metrics.cacheErrors },
      onError: (operation, error) => app.log.debug({ err: error, cache: { operation } }, 'cache error; serving uncached'),
    });
    if (opts.tracing) await app.register(cacheLookup.start);
    await app.register(cachePlugin, { cache, hmacKey: config.cache.hmacKey, resolveVersion: opts.readyVersion ?? opts.resolveVersion });
    if (opts.tracing) await app.register(cacheLookup.end);
  }
};

export default fp(productionPlugin, { name: 'inference-production', fastify: '5.x' });
