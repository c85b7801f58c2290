/**
 * In-process LRU store, the default when REDIS_URL is unset: bounded by entry count and by total bytes, so a
 * flood of distinct requests evicts old results instead of growing the heap.
 */
import type { CacheStore } from './store.js';

export interface LruStoreOptions {
  /** CACHE_MAX_ENTRIES. */
  readonly maxEntries: number;
  /** CACHE_MAX_BYTES: sum of value sizes (keys are 43-char HMACs and not counted). */
  readonly maxBytes: number;
  /** Clock in ms, injectable for expiry tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly value: Buffer;
  readonly expiresAt: number;
}

export class LruStore implements CacheStore {
  // A Map iterates in insertion order; re-inserting on read moves an entry to the young end.
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: LruStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  async get(key: string): Promise<Buffer | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.bytes -= entry.value.byteLength;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    if (value.byteLength > this.options.maxBytes || this.options.maxEntries < 1) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.value.byteLength;
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    this.bytes += value.byteLength;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldestKey);
      this.bytes -= oldest.value.byteLength;
    }
  }

  async purge(): Promise<number> {
    const n = this.entries.size;
    this.entries.clear();
    this.bytes = 0;
    return n;
  }

  async close(): Promise<void> {
    await this.purge();
  }
}
