/**
 * One ioredis connection configured for a cache in the request path: it must never make a request wait.
 *
 * - enableOfflineQueue false: while disconnected, commands fail at once instead of queueing (a queue would turn a
 *   Redis outage into latency for every request).
 * - commandTimeout: a slow Redis is treated like a down one.
 * - maxRetriesPerRequest 0: a command in flight when the connection drops fails instead of being replayed.
 * - retryStrategy: reconnect forever with capped backoff, so the cache comes back without a restart.
 */
import { Redis } from 'ioredis';

export interface RedisClientOptions {
  /** REDIS_URL, e.g. redis://:password@redis:6379/0 or rediss:// for TLS. */
  readonly url: string;
  /** CACHE_REDIS_TIMEOUT_MS: per-command bound. */
  readonly commandTimeoutMs: number;
  /** Called on connection errors (already counted by the caller's metrics); ioredis would print them otherwise. */
  readonly onError?: (error: Error) => void;
}

export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // Ready check would delay the first commands; the cache tolerates a cold connection.
    enableReadyCheck: false,
  });
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}
