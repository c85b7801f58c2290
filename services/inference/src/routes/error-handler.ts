import type { FastifyError, FastifyInstance } from 'fastify';
import { InferenceError } from '../protocol/errors.js';

/** Every error leaves as `{"error": "..."}` with its status; Fastify's own codes get messages a person can act on. */
export function installErrorHandlers(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.setErrorHandler((error: FastifyError | InferenceError, request, reply) => {
    if (error instanceof InferenceError) {
      void reply.code(error.statusCode).headers(error.headers).send({ error: error.message });
      return;
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      // The cause (paths, ONNX Runtime internals) goes to the log only; the request id finds it there.
      request.log.error({ err: error }, 'request failed');
      void reply.code(status).send({ error: `internal error (request id ${request.id}); the cause is in the service log` });
      return;
    }
    void reply.code(status).send({ error: clientMessage(error, bodyLimitBytes) });
  });
  fastify.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}; see GET /v2 and /v2/models/{model}` });
  });
}

function clientMessage(error: FastifyError, bodyLimitBytes: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is larger than the limit of ${bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'content-type must be application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty; send a JSON infer request';
    default:
      return error.statusCode === 400 && error.message.includes('JSON') ? `request body is not valid JSON: ${error.message}` : error.message;
  }
}
