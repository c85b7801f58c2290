/**
 * The OpenAI-compatible routes under /v1, in their own encapsulated context so their two differences from the V2
 * routes stay here: errors in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`, which the
 * official clients read) — including the production layer's refusals (401, 429, 503) — and a body that is not
 * JSON answered 400 naming the content type, as OpenAI does, rather than 415.
 */
import type { FastifyPluginAsync, onSendHookHandler } from 'fastify';
import { badRequest } from '../../protocol/errors.js';
import { chatCompletionRoutes } from './chat/completions.js';
import { completionRoutes } from './completions.js';
import { openAiModelRoutes } from './models.js';

const errorTypes: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

export const openAiErrorShape: onSendHookHandler = (_request, reply, payload, done) => {
  if (reply.statusCode < 400 || typeof payload !== 'string') return done(null, payload);
  let message: unknown;
  try {
    message = (JSON.parse(payload) as { error?: unknown }).error;
  } catch {
    return done(null, payload);
  }
  if (typeof message !== 'string') return done(null, payload);
  const type = errorTypes[reply.statusCode] ?? (reply.statusCode >= 500 ? 'server_error' : 'invalid_request_error');
  done(null, JSON.stringify({ error: { message, type, param: null, code: String(reply.statusCode) } }));
};

export const openAiRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    done(badRequest(`content-type must be application/json; got ${request.headers['content-type'] ?? 'none'}`), undefined);
  });
  fastify.addHook('onSend', openAiErrorShape);
  await fastify.register(openAiModelRoutes);
  await fastify.register(completionRoutes);
  await fastify.register(chatCompletionRoutes);
};
