/**
 * The metrics listener: a second, minimal Fastify instance on METRICS_PORT serving the Prometheus text format.
 *
 * A separate port keeps scrapes out of the API's auth, rate limits and access logs, and lets a NetworkPolicy open
 * it to Prometheus only (the usual Triton/KServe arrangement: 8002 / 8080 beside the API).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  readonly registry: Registry;
  /** Default 0.0.0.0 in containers; tests use 127.0.0.1. */
  readonly host: string;
  /** METRICS_PORT, default 9000; 0 picks a free port. */
  readonly port: number;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_request, reply) => {
    const body = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(body);
  });
  await server.listen({ host: opts.host, port: opts.port });
  return server;
}

/** Bound port of a listening Fastify instance (after listen with port 0). */
export function boundPort(server: FastifyInstance): number {
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  return address.port;
}
