/**
 * `raw_input_contents` / `raw_output_contents`: a tensor as its flattened row-major elements, little-endian, no
 * padding (the proto's comment on raw_input_contents; FP16 exists only in this form). Read and written element by
 * element through Buffer's LE accessors, so the bytes' alignment and the host's byte order do not matter.
 */
import { badRequest } from '../protocol/errors.js';
import { fromHalfBits, toHalfBits } from '../protocol/float16.js';
import type { DataType } from '../protocol/datatypes.js';

/** Bytes per element of each fixed-size datatype. */
export const elementBytes: Readonly<Record<DataType, number>> = {
  BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8,
};

type Element = number | boolean;

const readers: Readonly<Record<DataType, (b: Buffer, offset: number) => Element>> = {
  BOOL: (b, o) => b[o] !== 0,
  UINT8: (b, o) => b.readUInt8(o),
  INT8: (b, o) => b.readInt8(o),
  UINT16: (b, o) => b.readUInt16LE(o),
  INT16: (b, o) => b.readInt16LE(o),
  FP16: (b, o) => fromHalfBits(b.readUInt16LE(o)),
  UINT32: (b, o) => b.readUInt32LE(o),
  INT32: (b, o) => b.readInt32LE(o),
  FP32: (b, o) => b.readFloatLE(o),
  // 64-bit integers beyond ±(2^53 − 1) cannot be carried by the service's JSON-shaped pipeline; decodeRaw refuses them.
  UINT64: (b, o) => Number(b.readBigUInt64LE(o)),
  INT64: (b, o) => Number(b.readBigInt64LE(o)),
  FP64: (b, o) => b.readDoubleLE(o),
};

const writers: Readonly<Record<DataType, (b: Buffer, value: number, offset: number) => void>> = {
  BOOL: (b, v, o) => void (b[o] = v ? 1 : 0),
  UINT8: (b, v, o) => void b.writeUInt8(v, o),
  INT8: (b, v, o) => void b.writeInt8(v, o),
  UINT16: (b, v, o) => void b.writeUInt16LE(v, o),
  INT16: (b, v, o) => void b.writeInt16LE(v, o),
  FP16: (b, v, o) => void b.writeUInt16LE(toHalfBits(v), o),
  UINT32: (b, v, o) => void b.writeUInt32LE(v, o),
  INT32: (b, v, o) => void b.writeInt32LE(v, o),
  FP32: (b, v, o) => void b.writeFloatLE(v, o),
  UINT64: (b, v, o) => void b.writeBigUInt64LE(BigInt(v), o),
  INT64: (b, v, o) => void b.writeBigInt64LE(BigInt(v), o),
  FP64: (b, v, o) => void b.writeDoubleLE(v, o),
};

/**
 * The elements of one raw input. The caller has checked the shape's element count against the per-tensor limit;
 * the byte length is checked here against count × element size before anything is allocated.
 */
export function decodeRaw(label: string, datatype: DataType, shape: readonly number[], count: number, bytes: Buffer): Element[] {
  const size = elementBytes[datatype];
  if (bytes.length !== count * size) {
    throw badRequest(`${label}: raw contents hold ${bytes.length} bytes; shape [${shape.join(',')}] of ${datatype} needs ${count * size} (${count} × ${size})`);
  }
  const read = readers[datatype];
  const values = new Array<Element>(count);
  for (let i = 0; i < count; i++) {
    const value = read(bytes, i * size);
    if ((datatype === 'INT64' || datatype === 'UINT64') && !Number.isSafeInteger(value)) {
      throw badRequest(`${label}: element ${i} is beyond ±(2^53 − 1), which this service cannot carry exactly for ${datatype}`);
    }
    values[i] = value;
  }
  return values;
}

/** One output's JSON data (flat, row-major) as raw little-endian bytes. */
export function encodeRaw(datatype: DataType, data: readonly unknown[]): Buffer {
  const size = elementBytes[datatype];
  const bytes = Buffer.allocUnsafe(data.length * size);
  const write = writers[datatype];
  for (let i = 0; i < data.length; i++) write(bytes, Number(data[i]), i * size);
  return bytes;
}
