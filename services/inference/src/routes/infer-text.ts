/**
 * V2 infer on a generative model: BYTES `text_input` in, BYTES `text_output` out, the request `parameters` read
 * as the generate extension's (max_tokens, temperature, top_p, top_k, seed, stop). The same engine, tokenizer and
 * metrics as /generate; the answer is a V2 infer response, with `finish_reason` and the token counts as response
 * parameters.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startGeneration } from '../generation/start.js';
import { parseV2GenerateRequest } from '../generation/text-request.js';
import { parseTextInferRequest, textOutputName } from '../protocol/bytes-tensor.js';
import type { InferResponse } from '../protocol/types.js';

export async function textInfer(fastify: FastifyInstance, http: FastifyRequest<{ Params: { model: string; version?: string } }>, reply: FastifyReply): Promise<InferResponse> {
  const parsed = parseTextInferRequest(http.body);
  const request = parseV2GenerateRequest({ text_input: parsed.text, parameters: parsed.parameters }, false);
  const metrics = fastify.hasDecorator('inferenceMetrics') ? fastify.inferenceMetrics.generation : undefined;
  const { served, generation } = await startGeneration({ catalog: fastify.generativeModels, metrics, http, reply }, http.params.model, http.params.version, request);
  const text = await generation.text();
  const outcome = generation.outcome;
  return {
    model_name: served.model,
    model_version: served.version,
    ...(parsed.id !== undefined && { id: parsed.id }),
    parameters: { finish_reason: outcome.finishReason, prompt_tokens: outcome.promptTokens, completion_tokens: outcome.completionTokens },
    outputs: [{ name: textOutputName, datatype: 'BYTES', shape: [1], data: [text] }],
  };
}
