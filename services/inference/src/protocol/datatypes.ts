/**
 * Open Inference Protocol tensor datatypes and how each maps onto ONNX Runtime and a JavaScript typed array.
 * BYTES (strings in JSON) is the text interface of generative models only (bytes-tensor.ts): ONNX string tensors
 * are not served.
 */
export const dataTypes = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64'] as const;
export type DataType = (typeof dataTypes)[number];

/** ONNX Runtime's names for the same element types (onnxruntime-common `Tensor.Type`). */
export type OrtElementType =
  | 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64';

export type TypedArray =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Float32Array | Float64Array;

interface DataTypeInfo {
  readonly ort: OrtElementType;
  /** Allocates the typed array holding `length` elements (FP16 as raw IEEE half bits, BOOL as 0/1 bytes). */
  readonly allocate: (length: number) => TypedArray;
  /** Integer range for integer types (inclusive); undefined for floats and BOOL. */
  readonly range?: readonly [bigint, bigint];
}

const intRange = (bits: number, signed: boolean): readonly [bigint, bigint] =>
  signed ? [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n] : [0n, (1n << BigInt(bits)) - 1n];

export const dataTypeInfo: Readonly<Record<DataType, DataTypeInfo>> = {
  BOOL: { ort: 'bool', allocate: (n) => new Uint8Array(n) },
  UINT8: { ort: 'uint8', allocate: (n) => new Uint8Array(n), range: intRange(8, false) },
  UINT16: { ort: 'uint16', allocate: (n) => new Uint16Array(n), range: intRange(16, false) },
  UINT32: { ort: 'uint32', allocate: (n) => new Uint32Array(n), range: intRange(32, false) },
  UINT64: { ort: 'uint64', allocate: (n) => new BigUint64Array(n), range: intRange(64, false) },
  INT8: { ort: 'int8', allocate: (n) => new Int8Array(n), range: intRange(8, true) },
  INT16: { ort: 'int16', allocate: (n) => new Int16Array(n), range: intRange(16, true) },
  INT32: { ort: 'int32', allocate: (n) => new Int32Array(n), range: intRange(32, true) },
  INT64: { ort: 'int64', allocate: (n) => new BigInt64Array(n), range: intRange(64, true) },
  FP16: { ort: 'float16', allocate: (n) => new Uint16Array(n) },
  FP32: { ort: 'float32', allocate: (n) => new Float32Array(n) },
  FP64: { ort: 'float64', allocate: (n) => new Float64Array(n) },
};

const byOrt = new Map<string, DataType>(dataTypes.map((d) => [dataTypeInfo[d].ort, d]));

/** The protocol datatype of an ONNX Runtime element type, or undefined when the protocol cannot carry it. */
export function dataTypeFromOrt(type: string): DataType | undefined {
  return byOrt.get(type);
}

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && (dataTypes as readonly string[]).includes(value);
}
