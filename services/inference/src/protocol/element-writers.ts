import { endianness } from 'node:os';
import { dataTypeInfo, type DataType, type TypedArray } from './datatypes.js';
import { toHalfBits } from './float16.js';

/**
 * Writes one JSON value into a typed array slot; returns a description of what is wrong, or undefined when
 * the value was stored. One writer per datatype so the hot loop does no datatype dispatch.
 */
export type ElementWriter = (target: TypedArray, index: number, value: unknown) => string | undefined;

const littleEndian = endianness() === 'LE';
const twoTo32 = 4294967296;

function integerWriter(datatype: DataType): ElementWriter {
  const [min, max] = dataTypeInfo[datatype].range ?? [0n, 0n];
  const lo = Number(min);
  const hi = Number(max);
  const wide = datatype === 'INT64' || datatype === 'UINT64';
  let words: Uint32Array | undefined;
  return (target, index, value) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return `${describe(value)} is not an integer`;
    // Number(max) of a 64-bit type rounds up to 2^63 / 2^64, so the wide types compare against exact doubles; and a JSON
    // number beyond 2^53 was already rounded by the parser, so it cannot be taken as the integer the client meant.
    if (wide && !Number.isSafeInteger(value)) {
      return `${value} is beyond ±(2^53 − 1), which a JSON number cannot carry exactly for ${datatype}`;
    }
    if (value < lo || value > hi) return `${value} is outside the ${datatype} range ${min}..${max}`;
    if (!wide) (target as Int32Array)[index] = value;
    else if (littleEndian) {
      // Token ids are INT64: writing the two 32-bit halves avoids allocating a BigInt per element.
      if (words?.buffer !== target.buffer) words = new Uint32Array(target.buffer, target.byteOffset, target.length * 2);
      const high = Math.floor(value / twoTo32);
      words[2 * index] = value - high * twoTo32;
      words[2 * index + 1] = high >>> 0;
    } else (target as BigInt64Array)[index] = BigInt(value);
    return undefined;
  };
}

const boolWriter: ElementWriter = (target, index, value) => {
  if (typeof value !== 'boolean') return `${describe(value)} is not a boolean (true or false)`;
  (target as Uint8Array)[index] = value ? 1 : 0;
  return undefined;
};

const floatWriter: ElementWriter = (target, index, value) => {
  if (typeof value !== 'number') return `${describe(value)} is not a number`;
  (target as Float32Array)[index] = value;
  return undefined;
};

const halfWriter: ElementWriter = (target, index, value) => {
  if (typeof value !== 'number') return `${describe(value)} is not a number`;
  (target as Uint16Array)[index] = toHalfBits(value);
  return undefined;
};

export function elementWriter(datatype: DataType): ElementWriter {
  if (datatype === 'BOOL') return boolWriter;
  if (datatype === 'FP16') return halfWriter;
  if (datatype === 'FP32' || datatype === 'FP64') return floatWriter;
  return integerWriter(datatype);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}
