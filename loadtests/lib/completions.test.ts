import { describe, expect, it } from 'vitest';
import { buildCompletionRequest, readCompletionStream, sseData } from './completions.ts';

const event = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;
const text = (t: string, finish: string | null = null) =>
  event({ id: 'cmpl-1', object: 'text_completion', model: 'demo-llm', choices: [{ index: 0, text: t, finish_reason: finish }] });
const usage = (completion: number) =>
  event({ id: 'cmpl-1', object: 'text_completion', model: 'demo-llm', choices: [], usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion } });

describe('completion streams', () => {
  it('asks for a greedy stream with usage, prompts varying by sequence number', () => {
    const a = buildCompletionRequest('demo-llm', 0, 16);
    expect(a).toMatchObject({ model: 'demo-llm', max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true } });
    expect(buildCompletionRequest('demo-llm', 1, 16).prompt).not.toBe(a.prompt);
  });

  it('reads text, finish reason and usage from a good stream', () => {
    const body = text('Hel') + text('lo') + text('!', 'length') + usage(3) + 'data: [DONE]\n\n';
    expect(readCompletionStream(body, { max_tokens: 3 })).toEqual({
      tokenEvents: 3, text: 'Hello!', finishReason: 'length', completionTokens: 3, done: true, problems: [],
    });
  });

  it('splits events on blank lines, joins multi-line data and skips comments', () => {
    expect(sseData(': keep-alive\n\ndata: a\ndata: b\n\r\ndata: [DONE]\n\n')).toEqual(['a\nb', '[DONE]']);
  });

  it.each([
    ['a stream cut before [DONE]', text('a') + text('', 'stop') + usage(1), /did not end with data: \[DONE\]/],
    ['no finish reason', text('a') + usage(1) + 'data: [DONE]\n\n', /finish_reason undefined/],
    ['more tokens than asked for', text('a', 'length') + usage(9) + 'data: [DONE]\n\n', /9 completion tokens exceed max_tokens 4/],
    ['length before max_tokens', text('a', 'length') + usage(2) + 'data: [DONE]\n\n', /"length" after 2 of 4 tokens/],
    ['an error body instead of events', '{"error":"model is not ready"}', /did not end/],
    ['a broken event', 'data: {nope\n\n' + usage(1) + 'data: [DONE]\n\n', /not JSON/],
    ['a chat chunk on the completions route', event({ object: 'chat.completion.chunk', choices: [{ finish_reason: 'stop' }] }) + usage(0) + 'data: [DONE]\n\n', /not "text_completion"/],
  ])('names what is wrong with %s', (_, body, problem) => {
    expect(readCompletionStream(body, { max_tokens: 4 }).problems.join('; ')).toMatch(problem);
  });
});
