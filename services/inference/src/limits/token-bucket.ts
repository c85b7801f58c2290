/**
 * Per-subject token buckets in memory: `rate` tokens per second, at most `burst` stored.
 *
 * The map is bounded (least recently seen subjects are dropped first), so a flood of distinct subjects cannot
 * grow memory; a dropped subject simply starts again with a full bucket.
 */
export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until one token is available (for Retry-After), 0 when allowed. */
  readonly retryAfterSeconds: number;
}

export interface RateLimiter {
  take(subject: string): Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    /** Tokens per second (RATE_LIMIT_PER_SECOND). */
    readonly rate: number,
    /** Bucket size (RATE_LIMIT_BURST). */
    readonly burst: number,
    private readonly maxSubjects = 100_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async take(subject: string): Promise<RateDecision> {
    return this.takeSync(subject);
  }

  takeSync(subject: string): RateDecision {
    const t = this.now();
    const bucket = this.buckets.get(subject) ?? { tokens: this.burst, at: t };
    this.buckets.delete(subject);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((t - bucket.at) / 1000) * this.rate);
    bucket.at = t;
    this.buckets.set(subject, bucket);
    if (this.buckets.size > this.maxSubjects) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)) };
  }
}
