/**
 * Prompt → token ids, checked against the model's context: a prompt that leaves no room for one token, or
 * max_tokens beyond what is left, is a 400 naming both numbers.
 */
import { InferenceError, badRequest } from '../protocol/errors.js';
import { ChatTemplateError } from './chat-template.js';
import type { TextRequest } from './text-request.js';
import { ChatTemplateMissing, type TextTokenizer } from './tokenizer.js';
import type { GenerateRequest, GenerativeModelInfo } from './types.js';

export function promptIds(tokenizer: TextTokenizer, request: TextRequest, vocabSize: number): number[] {
  const { prompt } = request;
  if (prompt.kind === 'ids') {
    const bad = prompt.ids.find((id) => id >= vocabSize);
    if (bad !== undefined) throw badRequest(`prompt token id ${bad} is outside the vocabulary (size ${vocabSize})`);
    return [...prompt.ids];
  }
  if (prompt.kind === 'text') return tokenizer.encode(prompt.text);
  try {
    return tokenizer.encodeChat(prompt.messages);
  } catch (error) {
    if (error instanceof ChatTemplateMissing) throw new InferenceError(400, error.message);
    if (error instanceof ChatTemplateError) throw badRequest(error.message);
    throw error;
  }
}

/** The engine request, or a 400 when the prompt and max_tokens do not fit the context. */
export function engineRequest(tokenizer: TextTokenizer, request: TextRequest, info: GenerativeModelInfo): GenerateRequest {
  const { contextLength, vocabSize } = info;
  const ids = promptIds(tokenizer, request, vocabSize);
  if (ids.length === 0) throw badRequest('prompt is empty: it encodes to no tokens');
  if (ids.length >= contextLength) {
    throw badRequest(`prompt is ${ids.length} tokens; the model's context is ${contextLength} tokens, so at most ${contextLength - 1} fit with one generated token`);
  }
  const room = contextLength - ids.length;
  if (request.maxTokens !== undefined && request.maxTokens > room) {
    throw badRequest(`max_tokens ${request.maxTokens} plus the prompt's ${ids.length} tokens exceeds the model's context of ${contextLength} tokens (at most ${room} here)`);
  }
  return {
    promptIds: ids,
    params: {
      maxTokens: request.maxTokens ?? room,
      temperature: request.temperature,
      topP: request.topP,
      topK: request.topK,
      ...(request.seed !== undefined && { seed: request.seed }),
    },
    // The engine read eos from generation_config.json / config.json / tokenizer_config.json; the tokenizer's own
    // reading is the fallback for an engine that found none.
    stopTokenIds: request.ignoreEos ? [] : info.eosTokenIds.length > 0 ? info.eosTokenIds : tokenizer.eosTokenIds,
  };
}
