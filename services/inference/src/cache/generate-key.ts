/**
 * Which text-generation answers the result cache may hold, and their key. Only deterministic, non-streaming
 * requests: temperature 0 (greedy) or a seed given — the engine promises the same tokens for the same seed,
 * prompt and parameters whatever shares the batch. The key covers the whole request body (prompt or messages,
 * every sampling parameter, stop strings, max_tokens) except what never changes the text: the V2 `id` (spliced
 * back into the answer) and `stream`/`stream_options` (a streamed request is never cached).
 */
import { createHmac } from 'node:crypto';
import { FieldWriter, stableJson } from './canonical.js';

type Body = Readonly<Record<string, unknown>>;

/** OpenAI routes name the model in the body; V2 generate in the URL. */
export const isOpenAiRoute = (pattern: string): boolean => pattern.startsWith('/v1/');

export function generateCacheable(pattern: string, body: Body): boolean {
  if (pattern.endsWith('/generate_stream')) return false;
  if (isOpenAiRoute(pattern)) {
    if (body.stream === true) return false;
    return body.temperature === 0 || typeof body.seed === 'number';
  }
  const params = (typeof body.parameters === 'object' && body.parameters !== null ? body.parameters : {}) as Body;
  // V2 generate defaults to greedy (text-request.ts).
  return params.temperature === undefined || params.temperature === null || params.temperature === 0 || typeof params.seed === 'number';
}

export interface GenerateKeyInput {
  readonly tenant: string;
  readonly model: string;
  readonly version: string;
  /** The route pattern: a completion and a chat answer differ in shape for the same text. */
  readonly route: string;
  readonly body: Body;
}

export function generateCacheKey(secret: Buffer, input: GenerateKeyInput): string {
  const { id: _id, stream: _stream, stream_options: _options, ...rest } = input.body;
  const writer = new FieldWriter().string('generate-v1').string(input.tenant).string(input.model).string(input.version).string(input.route);
  writer.string(stableJson(rest));
  // Whether the request had an id: V2 generate echoes it, so an answer stored without one cannot serve one with one.
  writer.string(input.body.id !== undefined ? 'id' : '');
  const hmac = createHmac('sha256', secret);
  for (const part of writer.toBuffers()) hmac.update(part);
  return hmac.digest('base64url');
}
