/**
 * Redis store: values under one key prefix with a TTL (SET ... EX), shared by every replica.
 */
import type { Redis } from 'ioredis';
import type { CacheStore } from './store.js';

export interface RedisStoreOptions {
  readonly client: Redis;
  /** Key namespace; purge removes exactly this namespace. */
  readonly prefix?: string;
}

export class RedisStore implements CacheStore {
  private readonly prefix: string;

  constructor(private readonly options: RedisStoreOptions) {
    this.prefix = options.prefix ?? 'inference:cache:';
  }

  async get(key: string): Promise<Buffer | undefined> {
    const value = await this.options.client.getBuffer(this.prefix + key);
    return value ?? undefined;
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    await this.options.client.set(this.prefix + key, value, 'EX', ttlSeconds);
  }

  async purge(): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await this.options.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await this.options.client.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  }

  async close(): Promise<void> {
    this.options.client.disconnect();
  }
}
