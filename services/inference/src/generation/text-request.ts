/**
 * A text-generation request as the routes hand it to the generation runner, whatever API it came in through
 * (OpenAI completions or chat, KServe V2 generate), and the parsers for each API's body. Limits that depend on the
 * model (context length, prompt length) are checked once the prompt is tokenized (prompt.ts).
 */
import { badRequest } from '../protocol/errors.js';
import type { ChatMessage } from './chat-template.js';
import {
  empty, falsy, objectBody, one, optionalBoolean, optionalInteger, optionalNumber, optionalSeed, optionalTopK,
  refuseUnsupported, stopStrings, zero, type Fields,
} from './request-fields.js';

export type PromptInput =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ids'; readonly ids: readonly number[] }
  | { readonly kind: 'chat'; readonly messages: readonly ChatMessage[] };

export interface TextRequest {
  readonly prompt: PromptInput;
  /** undefined = as many as the context leaves room for. */
  readonly maxTokens?: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly seed?: number;
  readonly stop: readonly string[];
  /** vLLM's `ignore_eos`: generate through the eos token up to max_tokens (benchmarks, load tests). */
  readonly ignoreEos: boolean;
  readonly stream: boolean;
}

export interface OpenAiRequest extends TextRequest {
  readonly model: string;
  /** stream_options.include_usage: a last chunk with usage and no choices. */
  readonly includeUsage: boolean;
}

/** OpenAI's defaults (temperature 1, top_p 1) unless the request says otherwise. */
function sampling(fields: Fields) {
  return {
    temperature: optionalNumber(fields, 'temperature', 0, 2) ?? 1,
    topP: optionalNumber(fields, 'top_p', 0, 1, { minExclusive: true }) ?? 1,
    topK: optionalTopK(fields) ?? 0,
    ...(optionalSeed(fields) !== undefined && { seed: optionalSeed(fields) }),
    stop: stopStrings(fields),
    ignoreEos: optionalBoolean(fields, 'ignore_eos') ?? false,
  };
}

function openAiCommon(fields: Fields, maxTokensField: 'max_tokens' | 'max_completion_tokens') {
  const model = fields.model;
  if (typeof model !== 'string' || model === '') throw badRequest(`model must be a non-empty string naming a served model (GET /v1/models); got ${JSON.stringify(model)}`);
  const n = fields.n;
  if (n !== undefined && n !== null && n !== 1) throw badRequest(`n must be 1 (one choice per request); got ${JSON.stringify(n)}`);
  refuseUnsupported(fields, {
    presence_penalty: zero, frequency_penalty: zero, logprobs: (v) => v === false || v === 0, top_logprobs: zero,
    best_of: one, echo: falsy, suffix: (v) => v === '', logit_bias: empty, tools: empty,
    response_format: (v) => typeof v === 'object' && v !== null && (v as Fields).type === 'text',
  });
  const stream = optionalBoolean(fields, 'stream') ?? false;
  const options = fields.stream_options;
  let includeUsage = false;
  if (options !== undefined && options !== null) {
    if (!stream) throw badRequest('stream_options is only allowed when stream is true');
    if (typeof options !== 'object' || Array.isArray(options)) throw badRequest('stream_options must be an object');
    includeUsage = optionalBoolean(options as Fields, 'include_usage') ?? false;
  }
  // Chat takes max_completion_tokens (max_tokens is its deprecated spelling); completions take max_tokens.
  const maxTokens = optionalInteger(fields, maxTokensField, 1) ?? (maxTokensField === 'max_completion_tokens' ? optionalInteger(fields, 'max_tokens', 1) : undefined);
  return { model, stream, includeUsage, ...(maxTokens !== undefined && { maxTokens }), ...sampling(fields) };
}

/** POST /v1/completions. OpenAI's default max_tokens for completions is 16. */
export function parseCompletionRequest(body: unknown): OpenAiRequest {
  const fields = objectBody(body, 'an OpenAI completion request');
  const common = openAiCommon(fields, 'max_tokens');
  return { ...common, maxTokens: common.maxTokens ?? 16, prompt: completionPrompt(fields.prompt) };
}

function completionPrompt(value: unknown): PromptInput {
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return { kind: 'text', text: value[0] };
  if (Array.isArray(value) && value.length > 0 && value.every((v) => Number.isInteger(v) && v >= 0)) return { kind: 'ids', ids: value as number[] };
  if (Array.isArray(value) && value.length > 1 && value.every((v) => typeof v === 'string')) {
    throw badRequest('prompt must be one string: this server answers one prompt per request (send one request per prompt)');
  }
  throw badRequest(`prompt must be a string (or an array of token ids); got ${value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80)}`);
}

const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/** POST /v1/chat/completions. */
export function parseChatRequest(body: unknown): OpenAiRequest {
  const fields = objectBody(body, 'an OpenAI chat completion request');
  const common = openAiCommon(fields, 'max_completion_tokens');
  return { ...common, prompt: { kind: 'chat', messages: chatMessages(fields.messages) } };
}

function chatMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) throw badRequest(`messages must be an array of {role, content}; got ${value === undefined ? 'nothing' : typeof value}`);
  if (value.length === 0) throw badRequest('messages must not be empty');
  return value.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw badRequest(`messages[${i}] must be an object {role, content}`);
    const { role, content, name } = m as Fields;
    if (typeof role !== 'string' || !roles.has(role)) {
      throw badRequest(`messages[${i}].role must be one of ${[...roles].join(', ')}; got ${JSON.stringify(role)}`);
    }
    if (name !== undefined && typeof name !== 'string') throw badRequest(`messages[${i}].name must be a string`);
    return { role, content: messageContent(content, i), ...(name !== undefined && { name: name as string }) };
  });
}

/** A string, or content parts of type "text" (joined); images and audio are refused by name. */
function messageContent(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, j) => {
        const p = part as Fields | null;
        if (typeof p !== 'object' || p === null || p.type !== 'text' || typeof p.text !== 'string') {
          throw badRequest(`messages[${i}].content[${j}] must be {"type": "text", "text": string}; this model reads text only`);
        }
        return p.text;
      })
      .join('');
  }
  throw badRequest(`messages[${i}].content must be a string or an array of text parts; got ${JSON.stringify(content) ?? 'nothing'}`);
}

/**
 * KServe V2 generate extension body (Triton's extension_generate.md): `text_input` and optional `parameters`
 * (max_tokens, temperature, top_p, top_k, seed, stop). Unlike OpenAI, temperature defaults to 0 (greedy), as
 * Triton's LLM backends do.
 */
export interface V2GenerateRequest extends TextRequest {
  readonly id?: string;
}

export function parseV2GenerateRequest(body: unknown, stream: boolean): V2GenerateRequest {
  const fields = objectBody(body, 'a generate request with text_input');
  const text = fields.text_input;
  if (typeof text !== 'string') throw badRequest(`text_input must be a string; got ${text === undefined ? 'nothing' : JSON.stringify(text).slice(0, 80)}`);
  if (fields.id !== undefined && typeof fields.id !== 'string') throw badRequest('id must be a string');
  const params = fields.parameters ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw badRequest('parameters must be an object');
  const p = params as Fields;
  const maxTokens = optionalInteger(p, 'max_tokens', 1);
  const s = sampling(p);
  return {
    prompt: { kind: 'text', text },
    ...(maxTokens !== undefined && { maxTokens }),
    ...s,
    temperature: optionalNumber(p, 'temperature', 0, 2) ?? 0,
    stream,
    ...(fields.id !== undefined && { id: fields.id as string }),
  };
}
