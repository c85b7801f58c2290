/**
 * KServe V2 generate extension as Triton defines it (protocol/extension_generate.md):
 *   POST /v2/models/{model}[/versions/{version}]/generate         → one JSON object with `text_output`
 *   POST /v2/models/{model}[/versions/{version}]/generate_stream  → server-sent events, one object per text piece
 * Request: `{"text_input": "...", "parameters": {"max_tokens", "temperature", "top_p", "top_k", "seed", "stop"}}`.
 * Besides `text_output`, the answer carries `finish_reason` and the token counts (the last event, when streaming).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { startGeneration } from '../generation/start.js';
import { parseV2GenerateRequest } from '../generation/text-request.js';
import { badRequest } from '../protocol/errors.js';
import { sendEventStream, sseEvent } from './event-stream.js';

interface Params {
  readonly model: string;
  readonly version?: string;
}

export const generateRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    done(badRequest(`content-type must be application/json; got ${request.headers['content-type'] ?? 'none'}`), undefined);
  });

  const handler = (stream: boolean) => async (http: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<unknown> => {
    const request = parseV2GenerateRequest(http.body, stream);
    const metrics = fastify.hasDecorator('inferenceMetrics') ? fastify.inferenceMetrics.generation : undefined;
    const { served, generation } = await startGeneration({ catalog: fastify.generativeModels, metrics, http, reply }, http.params.model, http.params.version, request);
    const head = { ...(request.id !== undefined && { id: request.id }), model_name: served.model, model_version: served.version };
    const tail = () => {
      const o = generation.outcome;
      return { finish_reason: o.finishReason, prompt_tokens: o.promptTokens, completion_tokens: o.completionTokens };
    };
    if (!stream) {
      const text = await generation.text();
      return { ...head, text_output: text, ...tail() };
    }
    async function* events(): AsyncGenerator<string, void, undefined> {
      for await (const text of generation.deltas()) yield sseEvent({ ...head, text_output: text });
      yield sseEvent({ ...head, text_output: '', ...tail() });
    }
    return sendEventStream(reply, events(), http.log);
  };

  for (const [suffix, stream] of [['generate', false], ['generate_stream', true]] as const) {
    fastify.post<{ Params: Params }>(`/v2/models/:model/${suffix}`, handler(stream));
    fastify.post<{ Params: Params }>(`/v2/models/:model/versions/:version/${suffix}`, handler(stream));
  }
};
