/**
 * Runs one OpenAI completion or chat completion: whole answer as JSON, or `stream: true` as server-sent events
 * ending in `data: [DONE]`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startGeneration } from '../../generation/start.js';
import type { OpenAiRequest } from '../../generation/text-request.js';
import { sendEventStream, sseDone, sseEvent } from '../event-stream.js';
import { newCompletionId } from '../../generation/completion-id.js';
import { chunkBody, completionBody, usageChunk, type CompletionKind, type Envelope } from './openai-shapes.js';

export async function openAiCall(fastify: FastifyInstance, http: FastifyRequest, reply: FastifyReply, kind: CompletionKind, request: OpenAiRequest): Promise<unknown> {
  const metrics = fastify.hasDecorator('inferenceMetrics') ? fastify.inferenceMetrics.generation : undefined;
  const started = await startGeneration({ catalog: fastify.generativeModels, metrics, http, reply }, request.model, undefined, request);
  const envelope: Envelope = { id: newCompletionId(kind), created: Math.floor(Date.now() / 1000), model: started.served.model };
  http.completionId = envelope.id;
  const { generation } = started;
  if (!request.stream) {
    const text = await generation.text();
    return completionBody(kind, envelope, text, generation.outcome);
  }
  async function* events(): AsyncGenerator<string, void, undefined> {
    let first = true;
    for await (const text of generation.deltas()) {
      yield sseEvent(chunkBody(kind, envelope, { text, role: first && kind === 'chat' }, request.includeUsage));
      first = false;
    }
    const outcome = generation.outcome;
    yield sseEvent(chunkBody(kind, envelope, { finish: outcome.finishReason, role: first && kind === 'chat' }, request.includeUsage));
    if (request.includeUsage) yield sseEvent(usageChunk(kind, envelope, outcome));
    yield sseDone;
  }
  return sendEventStream(reply, events(), http.log);
}
