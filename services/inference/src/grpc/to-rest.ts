/**
 * ModelInferRequest → the REST infer body (the Open Inference Protocol JSON shape), which the REST route then
 * validates as it validates any body: gRPC adds no validation of its own beyond what only gRPC can get wrong
 * (contents in the wrong typed field, raw bytes that disagree with shape × datatype, both kinds at once). The
 * model's own checks (names, datatypes, shapes, element values) answer with the REST route's messages.
 */
import { isDataType, type DataType } from '../protocol/datatypes.js';
import { elementCount } from '../protocol/decode-tensor.js';
import { decodeBytesElements } from '../protocol/binary-tensor.js';
import { badRequest } from '../protocol/errors.js';
import type { Parameters } from '../protocol/types.js';
import type { InferTensorContents, Int64, ModelInferRequest, ParameterMap } from './messages.js';
import { decodeRaw } from './raw-tensor.js';

/** Where InferTensorContents carries each datatype; FP16 has no typed field (raw only). */
const typedField: Readonly<Record<DataType, keyof InferTensorContents | undefined>> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents', FP16: undefined,
};

export interface RestInfer {
  readonly model: string;
  readonly version: string | undefined;
  /** The JSON body the REST infer route takes. */
  readonly body: Record<string, unknown>;
  /** The request sent raw_input_contents: the answer goes back in raw_output_contents. */
  readonly raw: boolean;
}

export function toRestInfer(request: ModelInferRequest, maxElements: number): RestInfer {
  if (request.model_name === '') throw badRequest('model_name is required');
  const raw = request.raw_input_contents.length > 0;
  if (raw && request.raw_input_contents.length !== request.inputs.length) {
    throw badRequest(`raw_input_contents has ${request.raw_input_contents.length} entries for ${request.inputs.length} inputs; send one per input, in order`);
  }
  const inputs = request.inputs.map((input, index) => {
    const label = `input '${input.name}'`;
    const shape = input.shape.map((d) => integer(label, 'shape', d));
    const body = {
      name: input.name,
      datatype: input.datatype,
      shape,
      ...parametersField(label, input.parameters),
    };
    // BYTES, the text interface of generative models: UTF-8 strings in REST JSON.
    if (input.datatype === 'BYTES') return { ...body, data: bytesInput(label, shape, maxElements, raw ? (request.raw_input_contents[index] as Buffer) : undefined, input.contents) };
    // An unknown datatype gets the REST route's message ("is not one of ..."), so its data is not looked at here.
    if (!isDataType(input.datatype)) return { ...body, data: [] };
    const datatype = input.datatype;
    const filled = filledFields(input.contents);
    if (raw) {
      if (filled.length > 0) throw badRequest(`${label}: contents and raw_input_contents are both set; use one (raw_input_contents for every input, or contents)`);
      // The per-tensor limit (and the shape's sanity) before the raw bytes are looked at, as the REST route does.
      const count = elementCount(label, shape, maxElements);
      return { ...body, data: decodeRaw(label, datatype, shape, count, request.raw_input_contents[index] as Buffer) };
    }
    const field = typedField[datatype];
    if (field === undefined) throw badRequest(`${label}: ${datatype} has no typed contents field; send it in raw_input_contents`);
    const wrong = filled.filter((f) => f !== field);
    if (wrong.length > 0) throw badRequest(`${label}: ${datatype} data goes in contents.${field}, not contents.${wrong.join(', contents.')}`);
    const values = (input.contents?.[field] ?? []) as readonly unknown[];
    return { ...body, data: field === 'int64_contents' || field === 'uint64_contents' ? values.map((v, i) => integer(label, `element ${i}`, v as Int64)) : values };
  });
  const outputs = request.outputs.map((o) => ({ name: o.name, ...parametersField(`output '${o.name}'`, o.parameters) }));
  const body: Record<string, unknown> = {
    ...(request.id !== '' && { id: request.id }),
    ...parametersField('request', request.parameters),
    inputs,
    ...(outputs.length > 0 && { outputs }),
  };
  return { model: request.model_name, version: request.model_version === '' ? undefined : request.model_version, body, raw };
}

/** A BYTES input's elements as strings: from raw_input_contents (4-byte length-prefixed) or contents.bytes_contents. */
function bytesInput(label: string, shape: readonly number[], maxElements: number, rawBytes: Buffer | undefined, contents: InferTensorContents | null | undefined): string[] {
  const filled = filledFields(contents);
  if (rawBytes !== undefined) {
    if (filled.length > 0) throw badRequest(`${label}: contents and raw_input_contents are both set; use one (raw_input_contents for every input, or contents)`);
    return decodeBytesElements(label, rawBytes, elementCount(label, shape, maxElements)).map((e) => Buffer.from(e).toString('utf8'));
  }
  const wrong = filled.filter((f) => f !== 'bytes_contents');
  if (wrong.length > 0) throw badRequest(`${label}: BYTES data goes in contents.bytes_contents, not contents.${wrong.join(', contents.')}`);
  return (contents?.bytes_contents ?? []).map((b) => Buffer.from(b).toString('utf8'));
}

function filledFields(contents: InferTensorContents | null | undefined): Array<keyof InferTensorContents> {
  if (!contents) return [];
  return (Object.keys(contents) as Array<keyof InferTensorContents>).filter((k) => (contents[k]?.length ?? 0) > 0);
}

/** An int64 from the wire (a decimal string) as a number, refused when a JSON number could not carry it exactly. */
function integer(label: string, what: string, value: Int64): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw badRequest(`${label}: ${what} ${value} is beyond ±(2^53 − 1), which this service cannot carry exactly`);
  return n;
}

/**
 * The HTTP binary tensor data extension's framing parameters: gRPC has raw_input_contents / raw_output_contents
 * instead, so they are dropped here rather than turning the REST answer into binary framing gRPC cannot read.
 */
const httpFramingParameters = new Set(['binary_data', 'binary_data_output', 'binary_data_size']);

function parametersField(label: string, map: ParameterMap | undefined): { parameters?: Parameters } {
  const entries = Object.entries(map ?? {}).filter(([key]) => !httpFramingParameters.has(key));
  if (entries.length === 0) return {};
  const parameters: Record<string, string | number | boolean> = {};
  for (const [key, p] of entries) {
    switch (p.parameter_choice) {
      case 'bool_param':
        parameters[key] = p.bool_param === true;
        break;
      case 'int64_param':
        parameters[key] = integer(`${label} parameter '${key}'`, 'value', p.int64_param ?? 0);
        break;
      case 'string_param':
        parameters[key] = p.string_param ?? '';
        break;
      default:
        throw badRequest(`${label} parameter '${key}' has no bool_param, int64_param or string_param value`);
    }
  }
  return { parameters };
}
