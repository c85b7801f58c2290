import type { FastifyPluginAsync } from 'fastify';
import { parseChatRequest } from '../../../generation/text-request.js';
import { openAiCall } from '../openai-call.js';

/** POST /v1/chat/completions (OpenAI-compatible): `messages`, rendered with the model's chat template → reply. */
export const chatCompletionRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.post('/v1/chat/completions', async (http, reply) => openAiCall(fastify, http, reply, 'chat', parseChatRequest(http.body)));
};
