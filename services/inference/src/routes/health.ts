import type { FastifyPluginAsync } from 'fastify';
import { unavailable } from '../protocol/errors.js';

/** Liveness answers as long as the event loop turns; readiness waits for every model's load and warm-up. */
export const healthRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.get('/v2/health/live', async () => ({ live: true }));
  fastify.get('/v2/health/ready', async () => {
    if (!fastify.modelRegistry.isReady(fastify.serviceConfig.strictReadiness)) {
      throw unavailable('server is not ready: models are loading, or no version of some model could be loaded');
    }
    return { ready: true };
  });
};
