import { describe, expect, it } from 'vitest';
import { generateCacheable, generateCacheKey } from '../src/cache/generate-key.js';
import { parseChatRequest, parseCompletionRequest, parseV2GenerateRequest } from '../src/generation/text-request.js';
import { parseTextInferRequest } from '../src/protocol/bytes-tensor.js';

describe('request defaults', () => {
  it('OpenAI completions: temperature 1, top_p 1, max_tokens 16, no stop', () => {
    expect(parseCompletionRequest({ model: 'm', prompt: 'x' })).toMatchObject({
      model: 'm', prompt: { kind: 'text', text: 'x' }, temperature: 1, topP: 1, topK: 0, maxTokens: 16, stop: [], stream: false, includeUsage: false, ignoreEos: false,
    });
  });

  it('chat: max_completion_tokens wins over the deprecated max_tokens; unset leaves the context to decide', () => {
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }];
    expect(parseChatRequest({ model: 'm', messages, max_tokens: 5, max_completion_tokens: 7 }).maxTokens).toBe(7);
    expect(parseChatRequest({ model: 'm', messages, max_tokens: 5 }).maxTokens).toBe(5);
    const plain = parseChatRequest({ model: 'm', messages });
    expect(plain.maxTokens).toBeUndefined();
    expect(plain.prompt).toEqual({ kind: 'chat', messages: [{ role: 'user', content: 'ab' }] });
  });

  it('V2 generate defaults to greedy; seeds fold to 32 bits; top_k -1 means off', () => {
    expect(parseV2GenerateRequest({ text_input: 'x' }, false)).toMatchObject({ temperature: 0, topK: 0, stream: false });
    const r = parseV2GenerateRequest({ text_input: 'x', parameters: { seed: -1, top_k: -1, stop: 'END', temperature: 0.7 } }, true);
    expect(r).toMatchObject({ seed: 2 ** 32 - 1, topK: 0, stop: ['END'], temperature: 0.7, stream: true });
  });

  it('token-id prompts pass through; several prompts in one request are refused by name', () => {
    expect(parseCompletionRequest({ model: 'm', prompt: [1, 2, 3] }).prompt).toEqual({ kind: 'ids', ids: [1, 2, 3] });
    expect(() => parseCompletionRequest({ model: 'm', prompt: ['a', 'b'] })).toThrow(/one prompt per request/);
  });

  it('stream_options.include_usage needs stream', () => {
    expect(parseCompletionRequest({ model: 'm', prompt: 'x', stream: true, stream_options: { include_usage: true } }).includeUsage).toBe(true);
  });
});

describe('BYTES text_input', () => {
  it('takes one string, flat or nested, and refuses other datatypes by name', () => {
    const input = (extra: object) => ({ inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1, 1], data: [['hi']], ...extra }], parameters: { max_tokens: 3 } });
    expect(parseTextInferRequest(input({}))).toEqual({ text: 'hi', parameters: { max_tokens: 3 } });
    expect(() => parseTextInferRequest(input({ datatype: 'INT64' }))).toThrow(/datatype "INT64" must be BYTES/);
    expect(() => parseTextInferRequest(input({ data: [[3]] }))).toThrow(/element 0 is not a string/);
    expect(() => parseTextInferRequest({ inputs: [{ name: 'input_ids' }] })).toThrow(/takes one input 'text_input'/);
  });
});

describe('generate cache rules', () => {
  it('caches only deterministic non-streaming requests', () => {
    expect(generateCacheable('/v1/completions', { temperature: 0 })).toBe(true);
    expect(generateCacheable('/v1/completions', { seed: 3 })).toBe(true);
    expect(generateCacheable('/v1/completions', {})).toBe(false); // OpenAI default temperature 1
    expect(generateCacheable('/v1/completions', { temperature: 0, stream: true })).toBe(false);
    expect(generateCacheable('/v2/models/:model/generate', {})).toBe(true); // V2 default temperature 0
    expect(generateCacheable('/v2/models/:model/generate', { parameters: { temperature: 0.5 } })).toBe(false);
    expect(generateCacheable('/v2/models/:model/generate_stream', {})).toBe(false);
  });

  it('keys on everything that changes the text, not on the V2 id', () => {
    const secret = Buffer.alloc(32, 1);
    const key = (body: Record<string, unknown>, route = '/v1/completions') => generateCacheKey(secret, { tenant: '', model: 'm', version: '1', route, body });
    const base = { model: 'm', prompt: 'x', temperature: 0, max_tokens: 4 };
    expect(key({ ...base })).toBe(key({ max_tokens: 4, temperature: 0, prompt: 'x', model: 'm' }));
    expect(key({ ...base, id: 'a' })).toBe(key({ ...base, id: 'b' }));
    for (const change of [{ prompt: 'y' }, { max_tokens: 5 }, { stop: ['a'] }, { seed: 1 }, { top_k: 3 }, { ignore_eos: true }]) {
      expect(key({ ...base, ...change })).not.toBe(key(base));
    }
    expect(key(base, '/v1/chat/completions')).not.toBe(key(base));
  });
});
