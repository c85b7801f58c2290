/** A byte store with per-entry expiry: the in-process LRU or Redis. */
export interface CacheStore {
  /** Undefined on a miss. Rejects when the store is unreachable or slow (the caller serves uncached). */
  get(key: string): Promise<Buffer | undefined>;
  set(key: string, value: Buffer, ttlSeconds: number): Promise<void>;
  /** Removes every entry of this service (admin cache purge). Returns the number removed. */
  purge(): Promise<number>;
  close(): Promise<void>;
}
