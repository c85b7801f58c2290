/**
 * Per-subject rate limit shared by all replicas through Redis: a fixed-window counter (INCR + PEXPIRE in one Lua
 * call, so a key never lives without expiry) allowing `limit` calls per window of `limit / rate` seconds — the
 * sustained rate is `rate`, and a caller may spend the whole burst at once, as with the in-memory bucket.
 *
 * Why the window is not one second: `limit` is RATE_LIMIT_BURST (default 2 × rate), so a one-second window let
 * every subject through at twice RATE_LIMIT_PER_SECOND, sustained. A fixed window still lets up to 2 × burst through
 * across a window edge; the in-memory bucket behind it is the fallback when Redis is down or slow: a Redis outage
 * must not turn into an outage of the service.
 */
import type { Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from './token-bucket.js';

const script = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export class RedisWindowLimiter implements RateLimiter {
  /** Window length: the time the sustained rate takes to earn `limit` calls (at least one second). */
  readonly windowMs: number;

  constructor(
    private readonly client: Redis,
    /** Requests allowed per subject per window (the burst). */
    private readonly limit: number,
    /** Local limiter used while Redis fails; its `rate` (the in-memory TokenBuckets') sets the window length. */
    private readonly fallback: RateLimiter & { readonly rate?: number },
    private readonly onError?: (error: unknown) => void,
    /** Wall clock in ms that picks the window (replicas share it, so wall time, not a monotonic clock); tests drive it. */
    private readonly now: () => number = Date.now,
  ) {
    const rate = fallback.rate !== undefined && fallback.rate > 0 ? fallback.rate : limit;
    this.windowMs = Math.max(1000, Math.round((limit / rate) * 1000));
  }

  async take(subject: string): Promise<RateDecision> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    try {
      const key = `inference:ratelimit:${subject}:${window}`;
      const count = Number(await this.client.eval(script, 1, key, String(this.windowMs * 2)));
      if (count <= this.limit) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000)) };
    } catch (error) {
      this.onError?.(error);
      return this.fallback.take(subject);
    }
  }
}
