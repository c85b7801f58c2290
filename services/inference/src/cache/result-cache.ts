/**
 * The result cache as the request path sees it: get/set that never throw and never make a request fail.
 *
 * Store errors (Redis down, slow beyond the command timeout) and undecryptable values count a metric and behave as
 * a miss; writes are fire-and-forget so a slow store never delays a computed answer.
 */
import type { Counter } from 'prom-client';
import { associatedData, open, seal, type KeyRing } from './envelope.js';
import type { CacheStore } from './store.js';

export interface CacheCounters {
  readonly hits: Pick<Counter, 'inc'>;
  readonly misses: Pick<Counter, 'inc'>;
  readonly errors: Pick<Counter<'operation'>, 'inc'>;
}

export interface ResultCacheOptions {
  readonly store: CacheStore;
  readonly ttlSeconds: number;
  /** Encryption key ring (CACHE_ENCRYPTION_KEY); plain records without it. */
  readonly keyRing?: KeyRing;
  readonly counters: CacheCounters;
  readonly onError?: (operation: 'get' | 'set' | 'decrypt', error: unknown) => void;
}

/** Whose value, from which model: bound into the AAD (with the cache key) when encrypting. */
export interface CacheScope {
  readonly tenant: string;
  readonly model: string;
  readonly version: string;
}

export class ResultCache {
  constructor(private readonly options: ResultCacheOptions) {}

  get store(): CacheStore {
    return this.options.store;
  }

  async get(key: string, scope: CacheScope): Promise<Buffer | undefined> {
    const { counters } = this.options;
    let record: Buffer | undefined;
    try {
      record = await this.options.store.get(key);
    } catch (error) {
      counters.errors.inc({ operation: 'get' });
      this.options.onError?.('get', error);
      return undefined;
    }
    if (record === undefined) {
      counters.misses.inc();
      return undefined;
    }
    const value = open(this.options.keyRing, record, associatedData(scope.tenant, scope.model, scope.version, key));
    if (value === undefined) {
      counters.errors.inc({ operation: 'decrypt' });
      counters.misses.inc();
      this.options.onError?.('decrypt', new Error('cached value failed to decrypt or verify; treated as a miss'));
      return undefined;
    }
    counters.hits.inc();
    return value;
  }

  /** Stores in the background; resolves when done, but callers need not await it. */
  set(key: string, scope: CacheScope, value: Buffer): Promise<void> {
    const record = seal(this.options.keyRing, value, associatedData(scope.tenant, scope.model, scope.version, key));
    return this.options.store.set(key, record, this.options.ttlSeconds).catch((error: unknown) => {
      this.options.counters.errors.inc({ operation: 'set' });
      this.options.onError?.('set', error);
    });
  }
}
