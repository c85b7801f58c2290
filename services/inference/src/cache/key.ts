/**
 * The cache key: HMAC-SHA-256 over everything that determines an answer.
 *
 * HMAC rather than a bare hash so that someone who can read the Redis keyspace cannot confirm a guessed input by
 * hashing it. The caller's tenant is part of the key when auth is on, so no caller can read another's results even
 * with identical inputs.
 */
import { createHmac } from 'node:crypto';
import { CanonicalizationError, FieldWriter, stableJson, writeCanonicalInputs } from './canonical.js';

export interface CacheKeyInput {
  /** Tenant or subject from the verified token; empty when auth is off. */
  readonly tenant: string;
  readonly model: string;
  /** The version that will serve the request (resolved, never "latest"). */
  readonly version: string;
  /** The V2 request body (`inputs`, optional `outputs` and `parameters`). */
  readonly body: Readonly<Record<string, unknown>>;
  /** Whether the request carries an `id` (the stored answer then has an id to splice; see response-template.ts). */
  readonly withId: boolean;
}

/** Request parameters that steer the cache itself and never change the answer. */
const cacheControlParameters = new Set(['cache']);

export function cacheKey(secret: Buffer, input: CacheKeyInput): string {
  const writer = new FieldWriter().string('v1').string(input.tenant).string(input.model).string(input.version);
  writer.string(input.withId ? 'id' : '');
  // `"outputs": null` is a 400 from the parser; it must not share the key of a request without outputs.
  if (input.body.outputs === null) throw new CanonicalizationError('"outputs" is null');
  writer.string(stableJson(input.body.outputs ?? null));
  const params = input.body.parameters;
  // Anything but an object is a 400 from the parser; keyed as "no parameters" it would be answered from the cache.
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new CanonicalizationError('"parameters" is not an object');
  }
  const kept = params === undefined ? null : Object.fromEntries(Object.entries(params).filter(([k]) => !cacheControlParameters.has(k)));
  // No parameters and only cache-control parameters are the same request.
  writer.string(stableJson(kept !== null && Object.keys(kept).length > 0 ? kept : null));
  writeCanonicalInputs(writer, input.body.inputs);
  const hmac = createHmac('sha256', secret);
  for (const part of writer.toBuffers()) hmac.update(part);
  return hmac.digest('base64url');
}
