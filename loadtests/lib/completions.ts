/**
 * OpenAI-compatible streaming completions (`POST /v1/completions` with `stream: true`): request building and
 * stream checking, without any k6 import. The streaming k6 script and the rollout gate's Node stream generator
 * both use it, so a stream "counts as good" by the same rule whichever tool read it. Pure functions.
 *
 * The stream is server-sent events, `data: {chunk}` per event and `data: [DONE]` last
 * (https://platform.openai.com/docs/api-reference/completions/create, `stream` and `stream_options`).
 */

export interface CompletionRequest {
  readonly model: string;
  readonly prompt: string;
  readonly max_tokens: number;
  readonly temperature: number;
  readonly stream: true;
  readonly stream_options: { readonly include_usage: true };
}

/** Short domain prompts of different lengths, so that a gate's streams join the continuous batch unevenly. */
const prompts = [
  'Summarise the maintenance record:',
  'Classify this support ticket about a failed payment and explain why:',
  'Draft a reply.',
  'List the contraindications mentioned in the following discharge note, one per line, most severe first:',
];

/** The `seq`-th gate or load request: greedy (temperature 0), so a healthy canary answers the same every time. */
export function buildCompletionRequest(model: string, seq: number, maxTokens: number): CompletionRequest {
  const prompt = `${prompts[seq % prompts.length] ?? ''} #${seq}`;
  return { model, prompt, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } };
}

/** What one stream carried. */
export interface StreamReading {
  /** Events that carried generated text (the usage-only event at the end does not count). */
  readonly tokenEvents: number;
  readonly text: string;
  readonly finishReason: string | undefined;
  readonly completionTokens: number | undefined;
  readonly done: boolean;
  /** Why the stream does not mean a good answer; empty when it does. */
  readonly problems: readonly string[];
}

interface Chunk {
  readonly object?: unknown;
  readonly choices?: readonly { readonly text?: unknown; readonly finish_reason?: unknown }[];
  readonly usage?: { readonly completion_tokens?: unknown } | null;
}

/** Splits an SSE body into the `data:` payloads of its events (comments and other fields are skipped). */
export function sseData(body: string): string[] {
  const out: string[] = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const lines = event.split(/\r?\n/).filter((l) => l.startsWith('data:'));
    if (lines.length > 0) out.push(lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n'));
  }
  return out;
}

/** Reads a whole stream body and judges it against the request that asked for it. */
export function readCompletionStream(body: string, request: Pick<CompletionRequest, 'max_tokens'>): StreamReading {
  const problems: string[] = [];
  let text = '';
  let tokenEvents = 0;
  let finishReason: string | undefined;
  let completionTokens: number | undefined;
  let done = false;
  for (const data of sseData(body)) {
    if (done) {
      problems.push('an event after data: [DONE]');
      break;
    }
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      problems.push(`an event is not JSON: ${data.slice(0, 60)}`);
      continue;
    }
    if (chunk.object !== 'text_completion') problems.push(`object is ${JSON.stringify(chunk.object)}, not "text_completion"`);
    const choice = chunk.choices?.[0];
    if (choice && typeof choice.text === 'string') {
      if (choice.text.length > 0) tokenEvents += 1;
      text += choice.text;
    }
    if (choice && typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
    if (chunk.usage && typeof chunk.usage.completion_tokens === 'number') completionTokens = chunk.usage.completion_tokens;
  }
  if (!done) problems.push('the stream did not end with data: [DONE]');
  if (finishReason !== 'stop' && finishReason !== 'length') problems.push(`finish_reason ${JSON.stringify(finishReason)} is neither "stop" nor "length"`);
  if (completionTokens === undefined) problems.push('no usage.completion_tokens (stream_options.include_usage was asked for)');
  else if (completionTokens > request.max_tokens) problems.push(`${completionTokens} completion tokens exceed max_tokens ${request.max_tokens}`);
  else if (finishReason === 'length' && completionTokens !== request.max_tokens) {
    problems.push(`finish_reason "length" after ${completionTokens} of ${request.max_tokens} tokens`);
  }
  return { tokenEvents, text, finishReason, completionTokens, done, problems };
}
