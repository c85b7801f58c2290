import type { FastifyPluginAsync } from 'fastify';
import { parseCompletionRequest } from '../../generation/text-request.js';
import { openAiCall } from './openai-call.js';

/** POST /v1/completions (OpenAI-compatible): `prompt` → text. */
export const completionRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.post('/v1/completions', async (http, reply) => openAiCall(fastify, http, reply, 'completion', parseCompletionRequest(http.body)));
};
