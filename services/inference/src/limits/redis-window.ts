/**
 * Per-subject rate limit shared by all replicas through Redis: a fixed one-second window counter
 * (INCR + PEXPIRE in one Lua call, so a key never lives without expiry).
 *
 * A fixed window lets up to twice the rate through across a window edge; the in-memory bucket behind it is the
 * precise per-replica guard. When Redis is down or slow the limiter falls back to the local buckets: a Redis
 * outage must not turn into an outage of the service.
 */
import type { Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from './token-bucket.js';

const script = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export class RedisWindowLimiter implements RateLimiter {
  constructor(
    private readonly client: Redis,
    /** Requests allowed per subject per one-second window (the burst). */
    private readonly limit: number,
    private readonly fallback: RateLimiter,
    private readonly onError?: (error: unknown) => void,
  ) {}

  async take(subject: string): Promise<RateDecision> {
    const window = Math.floor(Date.now() / 1000);
    try {
      const key = `inference:ratelimit:${subject}:${window}`;
      const count = Number(await this.client.eval(script, 1, key, '2000'));
      return count <= this.limit ? { allowed: true, retryAfterSeconds: 0 } : { allowed: false, retryAfterSeconds: 1 };
    } catch (error) {
      this.onError?.(error);
      return this.fallback.take(subject);
    }
  }
}
