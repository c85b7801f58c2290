/**
 * Cache settings from the environment, validated once at start with messages naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { slo } from '../../../../policies/slo.js';
import { parseKeyRing, type KeyRing } from './envelope.js';

export interface CacheConfig {
  /** CACHE_ENABLED (default true): false turns the result cache off entirely. */
  readonly enabled: boolean;
  /** REDIS_URL: Redis store when set, in-process LRU otherwise. */
  readonly redisUrl?: string;
  /** CACHE_TTL_SECONDS (default slo.cacheTtlSeconds = 300). */
  readonly ttlSeconds: number;
  /** CACHE_REDIS_TIMEOUT_MS (default 50): a Redis command slower than this is a cache error; the request goes on. */
  readonly redisTimeoutMs: number;
  /** CACHE_MAX_ENTRIES (default 10000): LRU entry bound. */
  readonly maxEntries: number;
  /** CACHE_MAX_BYTES (default 67108864 = 64 MiB): LRU size bound. */
  readonly maxBytes: number;
  /** CACHE_ENCRYPTION_KEY: AES-256-GCM key ring. */
  readonly keyRing?: KeyRing;
  /** CACHE_HMAC_KEY: secret of the key HMAC; random per process when unset (fine for the LRU, not shared in Redis). */
  readonly hmacKey: Buffer;
  /** True when CACHE_HMAC_KEY was unset and a per-process random key is used. */
  readonly hmacKeyGenerated: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function positiveInt(env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

export function cacheConfigFromEnv(env: Env): CacheConfig {
  const hmacText = env.CACHE_HMAC_KEY?.trim();
  if (hmacText !== undefined && hmacText !== '' && Buffer.byteLength(hmacText) < 32) {
    throw new Error('CACHE_HMAC_KEY must be at least 32 characters (it keys the HMAC of cache keys)');
  }
  const encryption = env.CACHE_ENCRYPTION_KEY?.trim();
  const redisUrl = env.REDIS_URL?.trim();
  return {
    enabled: flag(env, 'CACHE_ENABLED', true),
    redisUrl: redisUrl ? redisUrl : undefined,
    ttlSeconds: positiveInt(env, 'CACHE_TTL_SECONDS', slo.cacheTtlSeconds),
    redisTimeoutMs: positiveInt(env, 'CACHE_REDIS_TIMEOUT_MS', 50),
    maxEntries: positiveInt(env, 'CACHE_MAX_ENTRIES', 10_000, 0),
    maxBytes: positiveInt(env, 'CACHE_MAX_BYTES', 64 * 1024 * 1024, 0),
    keyRing: encryption ? parseKeyRing(encryption) : undefined,
    hmacKey: hmacText ? Buffer.from(hmacText, 'utf8') : randomBytes(32),
    hmacKeyGenerated: !hmacText,
  };
}
