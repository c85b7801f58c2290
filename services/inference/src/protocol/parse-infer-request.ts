import { binaryDataSize } from './binary-body.js';
import { decodeRawTensor } from './binary-tensor.js';
import { dataTypes, isDataType } from './datatypes.js';
import { decodeTensorData, elementCount } from './decode-tensor.js';
import { badRequest } from './errors.js';
import type { HostTensor, InferRequest, Parameters, TensorSpec } from './types.js';

/** What a request is validated against. */
export interface RequestSchema {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Largest number of elements one input tensor may have. */
  readonly maxElements: number;
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates an Open Inference Protocol infer request body against the model's inputs and outputs. Every problem
 * is a 400 whose message names the input and what is wrong with it. An input's `data` is either JSON (flat or
 * nested) or a Uint8Array of its raw little-endian bytes (binary tensor data extension, gRPC raw_input_contents),
 * decoded by binary-tensor.ts into the same typed array.
 */
export function parseInferRequest(body: unknown, schema: RequestSchema): InferRequest {
  if (!isObject(body)) throw badRequest('request body must be a JSON object with an "inputs" array');
  const id = body.id;
  if (id !== undefined && typeof id !== 'string') throw badRequest('"id" must be a string');
  const parameters = parseParameters('request', body.parameters);
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) throw badRequest('"inputs" must be a non-empty array');

  const byName = new Map(schema.inputs.map((spec) => [spec.name, spec]));
  const inputs: HostTensor[] = [];
  for (const [index, raw] of body.inputs.entries()) {
    if (!isObject(raw)) throw badRequest(`inputs[${index}] must be an object with name, datatype, shape and data`);
    const name = raw.name;
    if (typeof name !== 'string') throw badRequest(`inputs[${index}]: "name" must be a string`);
    const spec = byName.get(name);
    if (!spec) throw badRequest(`unknown input '${name}'; the model takes ${schema.inputs.map((s) => s.name).join(', ')}`);
    if (inputs.some((t) => t.name === name)) throw badRequest(`input '${name}' appears more than once`);
    inputs.push(parseInput(raw, spec, schema.maxElements));
  }
  const missing = schema.inputs.filter((spec) => !inputs.some((t) => t.name === spec.name));
  if (missing.length > 0) throw badRequest(`missing input ${missing.map((s) => `'${s.name}'`).join(', ')}`);

  const outputs = parseOutputs(body.outputs, schema.outputs);
  return { ...(id !== undefined && { id }), ...(parameters && { parameters }), inputs, ...(outputs && { outputs }) };
}

function parseInput(raw: JsonObject, spec: TensorSpec, maxElements: number): HostTensor {
  const label = `input '${spec.name}'`;
  const { datatype, shape, data } = raw;
  if (datatype === 'BYTES') {
    throw badRequest(`${label}: datatype BYTES is accepted by text-generation models only (input 'text_input'); this input is ${spec.datatype}`);
  }
  if (!isDataType(datatype)) {
    throw badRequest(`${label}: datatype ${JSON.stringify(datatype)} is not one of ${dataTypes.join(', ')}`);
  }
  if (datatype !== spec.datatype) throw badRequest(`${label}: datatype ${datatype} does not match the model's ${spec.datatype}`);
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number')) throw badRequest(`${label}: shape must be an array of integers`);
  // Raw bytes: the binary tensor data extension's body parser (binary-body.ts) replaced `data` by this input's
  // slice; a gRPC front end passes raw_input_contents the same way. JSON can never produce a Uint8Array.
  const binary = data instanceof Uint8Array;
  if (!binary && isObject(raw.parameters) && binaryDataSize in raw.parameters) {
    throw badRequest(`${label}: parameters.binary_data_size is set but the request carries no binary data (send the Inference-Header-Content-Length header)`);
  }
  const dims = shape as number[];
  // Integer, sign and size checks first, so that negative or absurd dimensions get their own message.
  elementCount(label, dims, maxElements);
  if (dims.length !== spec.shape.length) {
    throw badRequest(`${label}: shape [${dims.join(',')}] has rank ${dims.length}, the model expects rank ${spec.shape.length} ([${spec.shape.join(',')}])`);
  }
  spec.shape.forEach((expected, axis) => {
    if (expected >= 0 && dims[axis] !== expected) {
      throw badRequest(`${label}: dimension ${axis} is ${dims[axis]}, the model expects ${expected} ([${spec.shape.join(',')}])`);
    }
  });
  const decoded = binary ? decodeRawTensor(label, datatype, dims, data as Uint8Array, maxElements) : decodeTensorData(label, datatype, dims, data, maxElements);
  return { name: spec.name, datatype, shape: dims, data: decoded };
}

function parseOutputs(raw: unknown, specs: readonly TensorSpec[]): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw badRequest('"outputs" must be an array of {"name": ...} objects');
  const seen = new Set<string>();
  const names = raw.map((entry, index) => {
    if (!isObject(entry) || typeof entry.name !== 'string') throw badRequest(`outputs[${index}] must be an object with a string "name"`);
    if (seen.has(entry.name)) throw badRequest(`output '${entry.name}' is requested more than once`);
    seen.add(entry.name);
    if (!specs.some((s) => s.name === entry.name)) {
      throw badRequest(`unknown output '${entry.name}'; the model produces ${specs.map((s) => s.name).join(', ')}`);
    }
    parseParameters(`output '${entry.name}'`, entry.parameters);
    return entry.name;
  });
  return names;
}

function parseParameters(label: string, raw: unknown): Parameters | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) throw badRequest(`${label} "parameters" must be an object`);
  for (const [key, value] of Object.entries(raw)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw badRequest(`${label} parameter '${key}' must be a string, number or boolean`);
    }
  }
  return raw as Parameters;
}
