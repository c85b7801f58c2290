/**
 * The part every generate route shares: find the model's engine, tokenize and check the prompt against its
 * context, submit (the engine answers 429 + Retry-After when its queue is full, 503 when not ready), label the
 * request for metrics and the audit record, and feed the generation metrics as tokens arrive.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GenerationMetrics } from '../metrics/generation.js';
import type { GenerativeCatalog, GenerativeVersion } from './catalog.js';
import { engineRequest } from './prompt.js';
import { TextGeneration, type TextOutcome } from './text-generation.js';
import type { TextRequest } from './text-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Finish reason and token counts of a completed generation, for the audit record. */
    generationOutcome?: TextOutcome;
    /** Set when the call generates text (any route, V2 infer on a generative model too): not an infer latency. */
    generates?: true;
  }
}

export interface StartedGeneration {
  readonly served: GenerativeVersion;
  readonly generation: TextGeneration;
  readonly promptTokens: number;
}

export interface StartOptions {
  readonly catalog: GenerativeCatalog;
  readonly metrics?: GenerationMetrics;
  readonly http: FastifyRequest;
  readonly reply: FastifyReply;
}

export async function startGeneration(options: StartOptions, model: string, version: string | undefined, request: TextRequest): Promise<StartedGeneration> {
  const { http, reply, metrics } = options;
  const served = await options.catalog.resolve(model, version);
  // The /v1 routes name the model in the body, which the metrics plugin could not see at onRequest.
  const labels = { model: served.model, version: served.version };
  http.inferenceLabels = labels;
  http.generates = true;
  const submitted = engineRequest(served.tokenizer, request, served.engine.info);
  const handle = served.engine.submit(submitted);
  metrics?.promptTokens.inc(labels, submitted.promptIds.length);
  let last = 0;
  const onTokens = (count: number): void => {
    const now = performance.now();
    if (!metrics) return;
    metrics.generatedTokens.inc(labels, count);
    // Fastify's clock runs from the request's first byte: TTFT as the client sees it, minus the network.
    if (last === 0) metrics.timeToFirstToken.observe(labels, reply.elapsedTime / 1000);
    else for (let i = 0; i < count; i++) metrics.interTokenLatency.observe(labels, (now - last) / 1000 / count);
    last = now;
  };
  const generation = new TextGeneration(handle, served.tokenizer, submitted.promptIds, request.stop, onTokens, (outcome) => {
    http.generationOutcome = outcome;
    // Tenant usage (src/usage): the usage plugin records these with the call; the audit line carries them too.
    http.usage = {
      items: 1,
      computeSeconds: outcome.computeMs / 1000,
      promptTokens: outcome.promptTokens,
      completionTokens: outcome.completionTokens,
    };
  });
  // A client that goes away mid-generation frees its KV-cache slot at the next step.
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) generation.cancel();
  });
  return { served, generation, promptTokens: submitted.promptIds.length };
}
