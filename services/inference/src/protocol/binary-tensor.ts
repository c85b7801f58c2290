/**
 * Raw tensor bytes ⇄ typed arrays, the wire form of the binary tensor data extension (Triton's
 * `binary_tensor_data`, KServe's Binary Tensor Data Extension) and of gRPC's `raw_input_contents` /
 * `raw_output_contents`: little-endian, row-major, no stride or padding; BOOL one byte per element (0 or 1);
 * FP16 the IEEE half bits; BYTES each element as a 4-byte little-endian unsigned length and then its bytes.
 *
 * Every size is checked against the shape before anything is allocated, and every problem is a 400 naming the
 * tensor (`label`), so HTTP and gRPC report the same message.
 */
import { endianness } from 'node:os';
import { dataTypeInfo, type DataType, type TypedArray } from './datatypes.js';
import { elementCount } from './decode-tensor.js';
import { badRequest } from './errors.js';
import { toHalfBits } from './float16.js';
import type { JsonTensorData } from './types.js';

/** Bytes per element of each fixed-size datatype (BYTES has no fixed size: see decodeBytesElements). */
export const elementBytes: Readonly<Record<DataType, number>> = {
  BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8,
};

const littleEndian = endianness() === 'LE';

/**
 * The tensor that `bytes` carries for `datatype` and `shape`: the same typed array the JSON path builds from
 * `data`. Refuses, before allocating, a byte count that is not shape × element size, and BOOL bytes other than
 * 0 and 1. The bytes are copied (the request buffer is not kept alive by the batch, and the copy is aligned).
 */
export function decodeRawTensor(label: string, datatype: DataType, shape: readonly number[], bytes: Uint8Array, maxElements: number): TypedArray {
  const count = elementCount(label, shape, maxElements);
  const width = elementBytes[datatype];
  const expected = count * width;
  if (bytes.byteLength !== expected) {
    throw badRequest(
      `${label}: shape [${shape.join(',')}] of ${datatype} needs ${expected} bytes (${count} × ${width}), the binary data has ${bytes.byteLength}`,
    );
  }
  if (datatype === 'BOOL') {
    const bad = bytes.findIndex((b) => b > 1);
    if (bad >= 0) throw badRequest(`${label}: element ${bad} is byte ${bytes[bad]}; a binary BOOL is 0 (false) or 1 (true)`);
  }
  const target = dataTypeInfo[datatype].allocate(count);
  const view = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  view.set(bytes);
  if (!littleEndian && width > 1) swapBytes(view, width);
  return target;
}

/** The little-endian bytes of a typed array (a view when the host is little-endian, which Node's targets are). */
export function rawTensorBytes(data: TypedArray): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndian || data.BYTES_PER_ELEMENT === 1) return view;
  const copy = Uint8Array.from(view);
  swapBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

/**
 * The typed array of JSON tensor data as encodeTensorData printed it (numbers, booleans, bigints beyond 2^53), for
 * a response an interceptor answered in JSON form that the client wants in binary.
 */
export function typedFromJson(datatype: DataType, data: JsonTensorData): TypedArray {
  const target = dataTypeInfo[datatype].allocate(data.length);
  const wide = target instanceof BigInt64Array || target instanceof BigUint64Array;
  data.forEach((value, i) => {
    if (wide) (target as BigInt64Array)[i] = BigInt(value as number | bigint);
    else if (datatype === 'FP16') (target as Uint16Array)[i] = toHalfBits(value as number);
    else (target as Float32Array)[i] = Number(value);
  });
  return target;
}

/**
 * BYTES elements from their binary form: `count` elements, each a 4-byte little-endian length then that many
 * bytes, filling `bytes` exactly. Lengths are checked against what is left before any element is sliced; the
 * elements are views into `bytes`.
 */
export function decodeBytesElements(label: string, bytes: Uint8Array, count: number): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.byteLength) {
      throw badRequest(`${label}: BYTES element ${i} of ${count}: its 4-byte length prefix is past the end of the ${bytes.byteLength}-byte binary data`);
    }
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.byteLength) {
      throw badRequest(`${label}: BYTES element ${i} declares ${length} bytes, only ${bytes.byteLength - at - 4} are left in the binary data`);
    }
    at += 4 + length;
  }
  if (at !== bytes.byteLength) {
    throw badRequest(`${label}: ${count} BYTES elements take ${at} bytes, the binary data has ${bytes.byteLength}`);
  }
  const elements: Uint8Array[] = [];
  at = 0;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(at, true);
    elements.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return elements;
}

/** The binary form of BYTES elements (strings as UTF-8). */
export function encodeBytesElements(elements: readonly (Uint8Array | string)[]): Buffer {
  const parts = elements.map((e) => (typeof e === 'string' ? Buffer.from(e, 'utf8') : e));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.writeUInt32LE(part.byteLength, at);
    out.set(part, at + 4);
    at += 4 + part.byteLength;
  }
  return out;
}

function swapBytes(view: Uint8Array, width: number): void {
  for (let at = 0; at < view.length; at += width) view.subarray(at, at + width).reverse();
}
