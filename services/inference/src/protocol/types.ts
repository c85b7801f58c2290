import type { DataType, TypedArray } from './datatypes.js';

/** Request/response parameters: a free-form map (Open Inference Protocol `$parameters`). */
export type Parameters = Readonly<Record<string, string | number | boolean>>;

/** A tensor as the model sees it: `-1` marks a dynamic dimension. */
export interface TensorSpec {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: readonly number[];
}

/** GET /v2/models/{m}[/versions/{v}] response body. */
export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** A decoded tensor in host memory, row-major. */
export interface HostTensor {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/** A validated inference request: every model input present, shapes and element counts checked. */
export interface InferRequest {
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly HostTensor[];
  /** Requested output names; undefined means all outputs. */
  readonly outputs?: readonly string[];
}

export type JsonTensorData = number[] | boolean[] | Array<number | bigint>;

/** One output in a response body. int64 values outside the safe-integer range stay bigint and are printed exactly. */
export interface InferResponseOutput {
  readonly name: string;
  /** BYTES only for a generative model's `text_output` (bytes-tensor.ts). */
  readonly datatype: DataType | 'BYTES';
  readonly shape: readonly number[];
  readonly data: JsonTensorData | string[];
  readonly parameters?: Parameters;
}

/** POST .../infer response body. */
export interface InferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly outputs: readonly InferResponseOutput[];
}
