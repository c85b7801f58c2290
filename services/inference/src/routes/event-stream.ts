/**
 * Server-sent events (`data: <json>\n\n`) for the streaming generate routes. The response head is held back
 * until the first event exists, so time to first byte is time to first token, and anything refused before it
 * (429 queue full, 503, 400) is an ordinary status code with a JSON error. An error after the head is sent
 * becomes a last `data: {"error": ...}` event, as OpenAI and Triton do.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export const sseEvent = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
export const sseDone = 'data: [DONE]\n\n';

/** Sends `events` (each a complete SSE event) once the first one is ready; rejects if the stream fails before it. */
export async function sendEventStream(reply: FastifyReply, events: AsyncGenerator<string, void, undefined>, log: { error(o: object, m: string): void }): Promise<FastifyReply> {
  const first = await events.next();
  async function* all(): AsyncGenerator<string, void, undefined> {
    if (first.done) return;
    yield first.value;
    try {
      yield* events;
    } catch (error) {
      log.error({ err: error }, 'generation failed mid-stream');
      yield sseEvent({ error: 'generation failed mid-stream; the cause is in the service log' });
    }
  }
  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    // Reverse proxies (nginx ingress) must not buffer the stream.
    .header('x-accel-buffering', 'no')
    .send(Readable.from(all(), { objectMode: false }));
}
