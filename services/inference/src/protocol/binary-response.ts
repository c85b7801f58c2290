/**
 * Binary outputs of the binary tensor data extension: which outputs the client wants as raw bytes, and the
 * response body that carries them — the JSON response with `parameters.binary_data_size` in place of `data` for
 * those outputs, followed by their bytes in the order they are listed; the JSON part's length goes in the
 * `Inference-Header-Content-Length` response header. With no binary output the response is plain JSON.
 */
import type { TypedArray } from './datatypes.js';
import { encodeBytesElements, rawTensorBytes, typedFromJson } from './binary-tensor.js';
import { serializeInferResponse } from './encode-tensor.js';
import { badRequest } from './errors.js';
import type { InferResponse, InferResponseOutput } from './types.js';

/**
 * The typed array an output's `data` was encoded from, when the infer route has it, so binary outputs are written
 * straight from the model's result (a response an interceptor built itself is converted back from its JSON data).
 */
export const rawOutputData = new WeakMap<InferResponseOutput, TypedArray>();

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function flag(label: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${label} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Names of the outputs to return as binary data: request parameter `binary_data_output` for all outputs, unless
 * a requested output says otherwise with its own `binary_data` parameter. `body` is the request as parsed.
 */
export function binaryOutputNames(body: unknown): (name: string) => boolean {
  const request = isObject(body) ? body : {};
  const all = flag('parameter binary_data_output', isObject(request.parameters) ? request.parameters.binary_data_output : undefined) ?? false;
  const own = new Map<string, boolean>();
  if (Array.isArray(request.outputs)) {
    for (const output of request.outputs) {
      if (!isObject(output) || typeof output.name !== 'string' || !isObject(output.parameters)) continue;
      const value = flag(`output '${output.name}': parameter binary_data`, output.parameters.binary_data);
      if (value !== undefined) own.set(output.name, value);
    }
  }
  return (name) => own.get(name) ?? all;
}

export interface BinaryResponse {
  /** JSON header followed by the binary outputs. */
  readonly body: Buffer;
  /** Byte length of the JSON header (the Inference-Header-Content-Length response header). */
  readonly headerLength: number;
}

/** The response in binary framing, or undefined when no output is wanted in binary (answer plain JSON). */
export function serializeBinaryResponse(response: InferResponse, wantsBinary: (name: string) => boolean): BinaryResponse | undefined {
  if (!response.outputs.some((o) => wantsBinary(o.name))) return undefined;
  const tail: Uint8Array[] = [];
  const outputs = response.outputs.map((output): InferResponseOutput => {
    if (!wantsBinary(output.name)) return output;
    // BYTES (a generative model's text_output) in the extension's 4-byte length-prefixed form.
    const bytes =
      output.datatype === 'BYTES'
        ? encodeBytesElements(output.data as readonly string[])
        : rawTensorBytes(rawOutputData.get(output) ?? typedFromJson(output.datatype, output.data as Parameters<typeof typedFromJson>[1]));
    tail.push(bytes);
    const { data: _data, ...rest } = output;
    return { ...rest, parameters: { ...output.parameters, binary_data_size: bytes.byteLength } } as unknown as InferResponseOutput;
  });
  const header = Buffer.from(serializeInferResponse({ ...response, outputs }), 'utf8');
  return { body: Buffer.concat([header, ...tail]), headerLength: header.byteLength };
}
