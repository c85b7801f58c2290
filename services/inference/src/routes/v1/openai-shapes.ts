/**
 * OpenAI response objects (https://platform.openai.com/docs/api-reference/completions/object and
 * /chat/object): completions, chat completions and their streamed chunks, with usage.
 */
import type { CompletionKind } from '../../generation/completion-id.js';
import type { TextOutcome, TextUsage } from '../../generation/text-generation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the completion this request answers with (the cache swaps it for a fresh one on a hit). */
    completionId?: string;
  }
}

export type { CompletionKind } from '../../generation/completion-id.js';

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export const usageOf = (u: TextUsage): Usage => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.promptTokens + u.completionTokens,
});

export interface Envelope {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function completionBody(kind: CompletionKind, e: Envelope, text: string, outcome: TextOutcome): object {
  const choice =
    kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: outcome.finishReason }
      : { index: 0, text, logprobs: null, finish_reason: outcome.finishReason };
  return { id: e.id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created: e.created, model: e.model, choices: [choice], usage: usageOf(outcome) };
}

/** One streamed chunk: `text` as a delta, or the finish reason on the last choice chunk. */
export function chunkBody(kind: CompletionKind, e: Envelope, part: { text?: string; role?: boolean; finish?: TextOutcome['finishReason'] }, withUsageField: boolean): object {
  const finish = part.finish ?? null;
  const choice =
    kind === 'chat'
      ? { index: 0, delta: { ...(part.role && { role: 'assistant' }), ...(part.text !== undefined && { content: part.text }) }, logprobs: null, finish_reason: finish }
      : { index: 0, text: part.text ?? '', logprobs: null, finish_reason: finish };
  return {
    id: e.id,
    object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: e.created,
    model: e.model,
    choices: [choice],
    // With stream_options.include_usage every chunk carries "usage": null and a last chunk carries the figures.
    ...(withUsageField && { usage: null }),
  };
}

export function usageChunk(kind: CompletionKind, e: Envelope, outcome: TextOutcome): object {
  return { id: e.id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: e.created, model: e.model, choices: [], usage: usageOf(outcome) };
}
