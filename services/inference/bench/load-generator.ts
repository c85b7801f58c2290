import { connect, type Socket } from 'node:net';
import { encodeRequests, onResponses, type WireBody } from './http-wire.js';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationMs: number;
  /** Request bodies, used round-robin (distinct bodies keep any result cache out of the figures). */
  readonly bodies: readonly (Buffer | WireBody)[];
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Closed-loop HTTP/1.1 load in the manner of wrk: `connections` keep-alive sockets, each sending the next request
 * as soon as the previous response is complete, for `durationMs`. Requests are pre-encoded bytes and responses are
 * framed by Content-Length only, so the generator spends little CPU of a 2-core machine it shares with the server
 * under test (node:http's client costs several times more per request).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const requests = encodeRequests(target, options.bodies);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const connection = (): Promise<void> =>
    new Promise((resolve) => {
      const socket: Socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
      let sentAt = 0;
      const send = (): void => {
        if (performance.now() >= deadline) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(requests[next++ % requests.length] as Buffer);
      };
      socket.on('connect', send);
      onResponses(socket, (status) => {
        latencies.push(performance.now() - sentAt);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status !== '200') errors++;
        send();
      });
      socket.on('error', () => {
        errors++;
        resolve();
      });
      socket.on('close', () => resolve());
    });

  await Promise.all(Array.from({ length: options.connections }, connection));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    statusCounts,
    requestsPerSecond: (latencies.length / elapsed) * 1000,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
  };
}
