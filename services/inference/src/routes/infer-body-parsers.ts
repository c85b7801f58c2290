import type { FastifyInstance, FastifyRequest } from 'fastify';
import { attachBinaryInputs, headerLength, inferenceHeaderLength } from '../protocol/binary-body.js';
import { InferenceError } from '../protocol/errors.js';

/**
 * Body parsers of the infer routes (registered in their plugin scope, so other routes keep Fastify's defaults):
 *
 * - a body with an `Inference-Header-Content-Length` header is the binary tensor data extension's framing — a
 *   JSON header of that many bytes, then the binary inputs (protocol/binary-body.ts) — whatever its content type
 *   (Triton's clients send application/octet-stream, application/json or none);
 * - otherwise application/json (and application/octet-stream, which Triton reads the same way) is parsed by
 *   Fastify's own JSON parser with the server's prototype-poisoning settings;
 * - any other content type stays a 415.
 * Every parser reads the body as one Buffer under the route's body limit (BODY_LIMIT_BYTES → 413).
 */
export function installInferBodyParsers(fastify: FastifyInstance): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig;
  const json = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  const parseJson = (request: FastifyRequest, text: string | Buffer): Promise<unknown> =>
    new Promise((resolve, reject) => json(request, text as string, (error, value) => (error ? reject(error) : resolve(value))));

  const parse = async (request: FastifyRequest, body: Buffer, fallbackJson: boolean): Promise<unknown> => {
    const declared = request.headers[inferenceHeaderLength];
    if (declared === undefined) {
      if (fallbackJson) return parseJson(request, body);
      throw new InferenceError(415, 'content-type must be application/json, or the binary tensor data extension (Inference-Header-Content-Length)');
    }
    const length = headerLength(declared, body.byteLength);
    const header = await parseJson(request, body.subarray(0, length));
    return attachBinaryInputs(header, body.subarray(length));
  };

  // Fastify's own JSON parser is replaced only in this scope; text/plain gives the 415 below instead of a string.
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser(['application/json', 'application/octet-stream'], { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer) =>
    parse(request, body, true),
  );
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer) => parse(request, body, false));
}
