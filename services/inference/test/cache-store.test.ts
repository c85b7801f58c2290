import { describe, expect, it } from 'vitest';
import { associatedData, open, parseKeyRing, seal } from '../src/cache/envelope.js';
import { LruStore } from '../src/cache/lru-store.js';
import { ResultCache } from '../src/cache/result-cache.js';
import { createMetrics } from '../src/metrics/instruments.js';
import { cacheConfigFromEnv } from '../src/cache/config.js';

const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('hex');
const aad = associatedData('tenant-a', 'demo', '1', 'key-1');

describe('AES-256-GCM envelope', () => {
  const ring = parseKeyRing(`new:${k1},old:${k2}`);

  it('round-trips with a fresh 12-byte IV per value and the key id in the record', () => {
    const value = Buffer.from('{"outputs":[1,2,3]}');
    const a = seal(ring, value, aad);
    const b = seal(ring, value, aad);
    expect(a.subarray(0, 2).toString()).toBe('E1');
    expect(a.subarray(3, 3 + a[2]!).toString()).toBe('new');
    expect(a.subarray(6, 18).equals(b.subarray(6, 18))).toBe(false); // IVs differ
    expect(a.length).toBe(2 + 1 + 3 + 12 + 16 + value.length);
    expect(open(ring, a, aad)?.toString()).toBe(value.toString());
  });

  it('decrypts values written under a rotated-out key that is still in the ring', () => {
    const old = seal(parseKeyRing(`old:${k2}`), Buffer.from('v'), aad);
    expect(open(ring, old, aad)?.toString()).toBe('v');
    expect(open(parseKeyRing(`new:${k1}`), old, aad)).toBeUndefined(); // key retired → miss
  });

  it('treats a flipped bit, another tenant, a truncated record or a plain record as a miss', () => {
    const record = seal(ring, Buffer.from('secret answer'), aad);
    const flipped = Buffer.from(record);
    flipped[flipped.length - 1]! ^= 1;
    expect(open(ring, flipped, aad)).toBeUndefined();
    expect(open(ring, record, associatedData('tenant-b', 'demo', '1', 'key-1'))).toBeUndefined();
    expect(open(ring, record, associatedData('tenant-a', 'demo', '2', 'key-1'))).toBeUndefined();
    // Same tenant, model and version, but stored under another cache key: a swapped entry, not this request's answer.
    expect(open(ring, record, associatedData('tenant-a', 'demo', '1', 'key-2'))).toBeUndefined();
    expect(open(ring, record.subarray(0, 20), aad)).toBeUndefined();
    expect(open(ring, seal(undefined, Buffer.from('x'), aad), aad)).toBeUndefined();
  });

  it('rejects keys of the wrong size and duplicate ids with the variable name', () => {
    expect(() => parseKeyRing('c2hvcnQ=')).toThrow(/CACHE_ENCRYPTION_KEY: an AES-256 key must be 32 bytes/);
    expect(() => parseKeyRing(`a:${k1},a:${k2}`)).toThrow(/appears twice/);
    expect(parseKeyRing(k1).activeId).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('in-process LRU store', () => {
  it('evicts the least recently used entry beyond the entry bound', async () => {
    const lru = new LruStore({ maxEntries: 2, maxBytes: 1000 });
    await lru.set('a', Buffer.from('1'), 60);
    await lru.set('b', Buffer.from('2'), 60);
    await lru.get('a');
    await lru.set('c', Buffer.from('3'), 60);
    expect(await lru.get('b')).toBeUndefined();
    expect((await lru.get('a'))?.toString()).toBe('1');
    expect(lru.size.entries).toBe(2);
  });

  it('stays under the byte bound and skips values larger than it', async () => {
    const lru = new LruStore({ maxEntries: 100, maxBytes: 10 });
    for (let i = 0; i < 10; i++) await lru.set(`k${i}`, Buffer.alloc(4), 60);
    expect(lru.size.bytes).toBeLessThanOrEqual(10);
    await lru.set('big', Buffer.alloc(11), 60);
    expect(await lru.get('big')).toBeUndefined();
  });

  it('expires entries after the TTL', async () => {
    let now = 0;
    const lru = new LruStore({ maxEntries: 10, maxBytes: 100, now: () => now });
    await lru.set('a', Buffer.from('1'), 300);
    now = 299_999;
    expect((await lru.get('a'))?.toString()).toBe('1');
    now = 300_000;
    expect(await lru.get('a')).toBeUndefined();
    expect(lru.size).toEqual({ entries: 0, bytes: 0 });
  });
});

describe('result cache', () => {
  it('counts hits, misses and store errors, and never throws', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const counters = { hits: metrics.cacheHits, misses: metrics.cacheMisses, errors: metrics.cacheErrors };
    const scope = { tenant: '', model: 'demo', version: '1' };
    const cache = new ResultCache({ store: new LruStore({ maxEntries: 10, maxBytes: 1000 }), ttlSeconds: 60, counters });
    expect(await cache.get('k', scope)).toBeUndefined();
    await cache.set('k', scope, Buffer.from('v'));
    expect((await cache.get('k', scope))?.toString()).toBe('v');
    const broken = new ResultCache({
      store: { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')), purge: async () => 0, close: async () => {} },
      ttlSeconds: 60,
      counters,
    });
    expect(await broken.get('k', scope)).toBeUndefined();
    await broken.set('k', scope, Buffer.from('v'));
    const text = await metrics.registry.metrics();
    expect(text).toContain('inference_cache_hits_total 1');
    expect(text).toContain('inference_cache_misses_total 1');
    expect(text).toContain('inference_cache_errors_total{operation="get"} 1');
    expect(text).toContain('inference_cache_errors_total{operation="set"} 1');
  });

  it('reads its settings with the SLO TTL as default and clear errors', () => {
    expect(cacheConfigFromEnv({}).ttlSeconds).toBe(300);
    expect(cacheConfigFromEnv({ CACHE_TTL_SECONDS: '5' }).ttlSeconds).toBe(5);
    expect(() => cacheConfigFromEnv({ CACHE_TTL_SECONDS: '-1' })).toThrow(/CACHE_TTL_SECONDS must be an integer ≥ 1/);
    expect(() => cacheConfigFromEnv({ CACHE_HMAC_KEY: 'short' })).toThrow(/CACHE_HMAC_KEY must be at least 32/);
  });
});
