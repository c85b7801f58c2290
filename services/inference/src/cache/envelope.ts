/**
 * Cache values at rest: AES-256-GCM with a key ring, or a plain record when no key is configured.
 *
 * Record layout (binary):
 *   encrypted: "E1" | keyIdLength (1 byte) | keyId (utf8) | iv (12 bytes) | tag (16 bytes) | ciphertext
 *   plain:     "P1" | value
 * A fresh random 12-byte IV per value (NIST SP 800-38D §8.2.2: random IVs are safe well below 2^32 values per key;
 * rotate keys long before that). The AAD binds a value to tenant + model + version and to the cache key it is
 * stored under, so a record copied to another tenant's key, or swapped with another entry of the same tenant by
 * someone who can write to Redis, fails the tag check. The key id lets old records decrypt after rotation. Anything that does not
 * decode — unknown key id, bad tag, truncated, or a plain record while encryption is on — is reported as
 * undefined (a miss), never an error to the client.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface KeyRing {
  /** Key id used for new values (the first configured key). */
  readonly activeId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENCRYPTED = Buffer.from('E1');
const PLAIN = Buffer.from('P1');

function decodeKey(text: string, label: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(`${label}: an AES-256 key must be 32 bytes (64 hex chars or 44 base64 chars); got ${key.length} bytes`);
  }
  return key;
}

/**
 * Parses CACHE_ENCRYPTION_KEY: either one key (hex or base64), or a comma-separated list of `id:key` pairs, the
 * first being active, e.g. `2025-06:BASE64,2025-01:BASE64`. A key without an id gets one derived from its hash, so
 * every replica agrees on it.
 */
export function parseKeyRing(text: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let activeId: string | undefined;
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = item.indexOf(':');
    const key = decodeKey(colon >= 0 ? item.slice(colon + 1) : item, 'CACHE_ENCRYPTION_KEY');
    const id = colon >= 0 ? item.slice(0, colon) : createHash('sha256').update(key).digest('hex').slice(0, 8);
    if (!/^[\w.-]{1,64}$/.test(id)) throw new Error(`CACHE_ENCRYPTION_KEY: key id "${id}" must match [A-Za-z0-9_.-]{1,64}`);
    if (keys.has(id)) throw new Error(`CACHE_ENCRYPTION_KEY: key id "${id}" appears twice`);
    keys.set(id, key);
    activeId ??= id;
  }
  if (activeId === undefined) throw new Error('CACHE_ENCRYPTION_KEY is set but holds no key');
  return { activeId, keys };
}

export function seal(ring: KeyRing | undefined, value: Buffer, aad: Buffer): Buffer {
  if (ring === undefined) return Buffer.concat([PLAIN, value]);
  const key = ring.keys.get(ring.activeId) as Buffer;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(value), cipher.final()]);
  const id = Buffer.from(ring.activeId, 'utf8');
  return Buffer.concat([ENCRYPTED, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), ciphertext]);
}

export function open(ring: KeyRing | undefined, record: Buffer, aad: Buffer): Buffer | undefined {
  const magic = record.subarray(0, 2);
  if (ring === undefined) return magic.equals(PLAIN) ? record.subarray(2) : undefined;
  if (!magic.equals(ENCRYPTED) || record.length < 3) return undefined;
  const idEnd = 3 + (record[2] as number);
  const key = ring.keys.get(record.subarray(3, idEnd).toString('utf8'));
  if (key === undefined || record.length < idEnd + IV_BYTES + TAG_BYTES) return undefined;
  const iv = record.subarray(idEnd, idEnd + IV_BYTES);
  const tag = record.subarray(idEnd + IV_BYTES, idEnd + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(record.subarray(idEnd + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** The associated data of a value: who may read it, which model produced it, and the key it is stored under. */
export function associatedData(tenant: string, model: string, version: string, cacheKey: string): Buffer {
  return Buffer.from(JSON.stringify([tenant, model, version, cacheKey]), 'utf8');
}
