import type { FastifyPluginAsync } from 'fastify';
import { notFound } from '../../protocol/errors.js';

/**
 * GET /v1/models and /v1/models/{model} (OpenAI-compatible): the generative models with a ready version. Encoder
 * models are listed by the V2 repository index, not here: an OpenAI client could not use them.
 */
export const openAiModelRoutes: FastifyPluginAsync = async (fastify) => {
  const created = Math.floor(Date.now() / 1000);
  const entry = (id: string) => ({ id, object: 'model', created, owned_by: 'inference-service' });
  fastify.get('/v1/models', async () => ({ object: 'list', data: [...new Set(fastify.generativeModels.list().map((m) => m.model))].map(entry) }));
  fastify.get<{ Params: { model: string } }>('/v1/models/:model', async (http) => {
    const found = fastify.generativeModels.list().find((m) => m.model === http.params.model);
    if (!found) throw notFound(`no generative model '${http.params.model}'; GET /v1/models lists them`);
    return entry(found.model);
  });
};
