/**
 * The REST infer answer (Open Inference Protocol JSON) → ModelInferResponse. Outputs go back in
 * raw_output_contents when the request sent raw_input_contents (what Triton's clients send and expect) or when an
 * output is FP16 (which has no typed field), in the typed `contents` fields otherwise.
 */
import { isDataType, type DataType } from '../protocol/datatypes.js';
import type { InferResponse, Parameters } from '../protocol/types.js';
import type { InferParameter, InferTensorContents, ModelInferResponse, ParameterMap } from './messages.js';
import { encodeBytesElements } from '../protocol/binary-tensor.js';
import { encodeRaw } from './raw-tensor.js';

const typedField: Readonly<Record<Exclude<DataType, 'FP16'>, keyof InferTensorContents>> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents',
};

export function fromRestInfer(response: InferResponse, rawRequested: boolean): ModelInferResponse {
  const raw = rawRequested || response.outputs.some((o) => o.datatype === 'FP16');
  const outputs = response.outputs.map((o) => {
    const base = { name: o.name, datatype: o.datatype, shape: [...o.shape], ...parameterField(o.parameters) };
    // BYTES (a generative model's text_output): raw as 4-byte length-prefixed elements, typed in bytes_contents.
    if (o.datatype === 'BYTES') return raw ? base : { ...base, contents: { bytes_contents: (o.data as readonly string[]).map((t) => Buffer.from(t, 'utf8')) } };
    if (!isDataType(o.datatype)) throw new Error(`output '${o.name}' has datatype ${String(o.datatype)}, which gRPC cannot carry`);
    if (raw) return base;
    const field = typedField[o.datatype as Exclude<DataType, 'FP16'>];
    // 64-bit integers as decimal strings: exact whatever their size.
    const values = field === 'int64_contents' || field === 'uint64_contents' ? o.data.map(String) : o.data;
    return { ...base, contents: { [field]: values } };
  });
  return {
    model_name: response.model_name,
    model_version: response.model_version,
    id: response.id ?? '',
    ...parameterField(response.parameters),
    outputs,
    // Every other datatype was checked above, so the cast holds.
    raw_output_contents: raw
      ? response.outputs.map((o) => (o.datatype === 'BYTES' ? encodeBytesElements(o.data as readonly string[]) : encodeRaw(o.datatype as DataType, o.data)))
      : [],
  };
}

/** JSON parameters → InferParameter: booleans, integers and strings map directly; other numbers go as strings. */
function parameterField(parameters: Parameters | undefined): { parameters?: ParameterMap } {
  if (parameters === undefined) return {};
  const map: Record<string, InferParameter> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value === 'boolean') map[key] = { bool_param: value };
    else if (typeof value === 'number' && Number.isSafeInteger(value)) map[key] = { int64_param: value };
    else map[key] = { string_param: String(value) };
  }
  return { parameters: map };
}
