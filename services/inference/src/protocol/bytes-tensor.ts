/**
 * BYTES tensors in the JSON protocol: each element is a string (the Open Inference Protocol's JSON form of
 * BYTES). The service's ONNX models take numeric tensors only, so BYTES is the text interface of generative
 * models on V2 infer: one `text_input` string in, one `text_output` string out (Triton's LLM convention), with
 * the sampling settings as request parameters (max_tokens, temperature, top_p, top_k, seed, stop).
 */
import { decodeBytesElements } from './binary-tensor.js';
import { badRequest } from './errors.js';

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export const textInputName = 'text_input';
export const textOutputName = 'text_output';

export interface TextInferRequest {
  readonly id?: string;
  readonly text: string;
  /** The request's `parameters`, as the generate extension's parameters. */
  readonly parameters: JsonObject;
}

/** The strings of a BYTES tensor, flat (nested data must mirror the shape). */
export function bytesElements(label: string, shape: readonly number[], data: unknown): string[] {
  const count = shape.reduce((n, d) => n * d, 1);
  // The binary tensor data extension (binary_data_size): 4-byte little-endian length-prefixed UTF-8 elements.
  if (data instanceof Uint8Array) return decodeBytesElements(label, data, count).map((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('utf8'));
  if (!Array.isArray(data)) throw badRequest(`${label}: data must be an array of strings (datatype BYTES)`);
  const flat = data.flat(Math.max(0, shape.length - 1));
  if (flat.length !== count) throw badRequest(`${label}: shape [${shape.join(',')}] needs ${count} strings, data has ${flat.length}`);
  const bad = flat.findIndex((v) => typeof v !== 'string');
  if (bad >= 0) throw badRequest(`${label}: element ${bad} is not a string (datatype BYTES carries strings in JSON)`);
  return flat as string[];
}

/** A V2 infer request to a generative model: exactly one BYTES `text_input` holding one string. */
export function parseTextInferRequest(body: unknown): TextInferRequest {
  if (!isObject(body)) throw badRequest('request body must be a JSON object with an "inputs" array');
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw badRequest('"id" must be a string');
  if (parameters !== undefined && !isObject(parameters)) throw badRequest('request "parameters" must be an object');
  if (!Array.isArray(inputs) || inputs.length !== 1 || !isObject(inputs[0]) || inputs[0].name !== textInputName) {
    throw badRequest(`a text-generation model takes one input '${textInputName}' (datatype BYTES, shape [1], data ["your prompt"])`);
  }
  const input = inputs[0];
  const label = `input '${textInputName}'`;
  if (input.datatype !== 'BYTES') throw badRequest(`${label}: datatype ${JSON.stringify(input.datatype)} must be BYTES`);
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw badRequest(`${label}: shape must be an array of non-negative integers`);
  const strings = bytesElements(label, shape as number[], input.data);
  if (strings.length !== 1) throw badRequest(`${label}: send one prompt (shape [1]); got ${strings.length} strings`);
  if (outputs !== undefined) {
    const ok = Array.isArray(outputs) && outputs.every((o) => isObject(o) && o.name === textOutputName);
    if (!ok) throw badRequest(`unknown output requested; a text-generation model produces '${textOutputName}' only`);
  }
  return { ...(id !== undefined && { id }), text: strings[0] as string, parameters: (parameters ?? {}) as JsonObject };
}
