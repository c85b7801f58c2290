import { Agent, request } from 'node:http';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationMs: number;
  /** Request bodies, used round-robin (distinct bodies keep any result cache out of the figures). */
  readonly bodies: readonly Buffer[];
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
 * Closed-loop HTTP load: `connections` keep-alive sockets, each sending the next request as soon as the previous
 * answer arrived, for `durationMs`. Latency is measured per request from write to the end of the response.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + options.durationMs;
  const started = performance.now();

  const once = (body: Buffer): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const connection = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const body = options.bodies[next++ % options.bodies.length] as Buffer;
      const t0 = performance.now();
      const status = await once(body).catch(() => 0);
      latencies.push(performance.now() - t0);
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const elapsed = performance.now() - started;
  agent.destroy();
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
