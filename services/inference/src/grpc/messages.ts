/**
 * The proto messages as @grpc/proto-loader hands them over and accepts them (proto.ts: keepCase, int64 as
 * strings on the way in, defaults and empty arrays filled in). Only the fields the service reads or writes.
 */
export type Int64 = string | number;

/** InferParameter: `parameter_choice` names the field that is set (none when the client sent an unknown kind). */
export interface InferParameter {
  readonly parameter_choice?: 'bool_param' | 'int64_param' | 'string_param';
  readonly bool_param?: boolean;
  readonly int64_param?: Int64;
  readonly string_param?: string;
}

export type ParameterMap = Readonly<Record<string, InferParameter>>;

export interface InferTensorContents {
  readonly bool_contents?: readonly boolean[];
  readonly int_contents?: readonly number[];
  readonly int64_contents?: readonly Int64[];
  readonly uint_contents?: readonly number[];
  readonly uint64_contents?: readonly Int64[];
  readonly fp32_contents?: readonly number[];
  readonly fp64_contents?: readonly number[];
  readonly bytes_contents?: readonly Buffer[];
}

export interface InferInputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly Int64[];
  readonly parameters?: ParameterMap;
  readonly contents?: InferTensorContents | null;
}

export interface ModelInferRequest {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters?: ParameterMap;
  readonly inputs: readonly InferInputTensor[];
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly parameters?: ParameterMap }>;
  readonly raw_input_contents: readonly Buffer[];
}

export interface InferOutputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly Int64[];
  readonly parameters?: ParameterMap;
  readonly contents?: InferTensorContents;
}

export interface ModelInferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters?: ParameterMap;
  readonly outputs: readonly InferOutputTensor[];
  readonly raw_output_contents: readonly Buffer[];
}

/** ModelReadyRequest and ModelMetadataRequest. */
export interface ModelRef {
  readonly name: string;
  readonly version: string;
}
