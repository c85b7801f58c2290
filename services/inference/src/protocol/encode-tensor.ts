import type { DataType, TypedArray } from './datatypes.js';
import { fromHalfBits } from './float16.js';
import type { InferResponse, JsonTensorData } from './types.js';

/** Row-major typed array → JSON data: FP16 widened to numbers, BOOL as booleans, 64-bit integers exact. */
export function encodeTensorData(datatype: DataType, data: TypedArray): JsonTensorData {
  if (datatype === 'FP16') return Array.from(data as Uint16Array, fromHalfBits);
  if (datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (datatype === 'INT64' || datatype === 'UINT64') {
    return Array.from(data as BigInt64Array, (v) => (v >= minSafe && v <= maxSafe ? Number(v) : v));
  }
  return Array.from(data as Float32Array);
}

const minSafe = BigInt(Number.MIN_SAFE_INTEGER);
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);
const bigintMarker = '\u0000bigint:';

/**
 * JSON text of a response. JSON.stringify cannot print a bigint, so 64-bit integers beyond 2^53 are written as
 * exact integer literals (never rounded, never quoted).
 */
export function serializeInferResponse(response: InferResponse): string {
  const hasBigint = response.outputs.some(
    (o) => (o.datatype === 'INT64' || o.datatype === 'UINT64') && o.data?.some((v) => typeof v === 'bigint'),
  );
  if (!hasBigint) return JSON.stringify(response);
  const text = JSON.stringify(response, (_key, value: unknown) => (typeof value === 'bigint' ? `${bigintMarker}${value}` : value));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
