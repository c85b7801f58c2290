/**
 * The HTTP framing of the binary tensor data extension: a body that is a JSON inference header of
 * `Inference-Header-Content-Length` bytes followed by the binary data of every input whose
 * `parameters.binary_data_size` is set, in the order the inputs are listed.
 *
 * splitBinaryBody turns such a body into the same request object a JSON body parses to, with each binary input's
 * `data` the Uint8Array slice of its bytes (a view, nothing copied). parseInferRequest then decodes the slice
 * against the model (binary-tensor.ts) exactly as it decodes a JSON array. Sizes are checked here against the
 * body — every size a non-negative integer, the slices ending exactly where the body does — before anything is
 * allocated; size against shape × datatype is checked when the slice is decoded.
 */
import { badRequest } from './errors.js';

/** Request and response header giving the length of the JSON part of a body (lower case, as Node gives headers). */
export const inferenceHeaderLength = 'inference-header-content-length';

/** Per-input parameter naming how many bytes of the binary data belong to that input. */
export const binaryDataSize = 'binary_data_size';

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Length of the JSON header from the request's `Inference-Header-Content-Length`, checked against the body:
 * a decimal integer, at most the body's length.
 */
export function headerLength(value: string | string[] | undefined, bodyBytes: number): number {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  if (!/^\s*\d+\s*$/.test(text)) throw badRequest(`Inference-Header-Content-Length must be a non-negative integer, got ${JSON.stringify(text)}`);
  const length = Number(text);
  if (length > bodyBytes) {
    throw badRequest(`Inference-Header-Content-Length ${length} is past the end of the ${bodyBytes}-byte body`);
  }
  return length;
}

/**
 * Replaces, in the parsed JSON header, the `data` of every input with `binary_data_size` by its slice of `tail`.
 * Malformed headers that are not about binary data (no inputs array, an input that is not an object) are left for
 * parseInferRequest to report.
 */
export function attachBinaryInputs(header: unknown, tail: Uint8Array): unknown {
  if (!isObject(header) || !Array.isArray(header.inputs)) {
    if (tail.byteLength > 0) throw badRequest(`the body carries ${tail.byteLength} bytes after the JSON header but no input declares binary_data_size`);
    return header;
  }
  let used = 0;
  for (const [index, input] of header.inputs.entries()) {
    if (!isObject(input) || !isObject(input.parameters) || !(binaryDataSize in input.parameters)) continue;
    const label = typeof input.name === 'string' ? `input '${input.name}'` : `inputs[${index}]`;
    const size = input.parameters[binaryDataSize];
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw badRequest(`${label}: parameters.binary_data_size must be a non-negative integer number of bytes, got ${JSON.stringify(size)}`);
    }
    if ('data' in input) throw badRequest(`${label}: has both "data" and parameters.binary_data_size; send one`);
    if (used + size > tail.byteLength) {
      throw badRequest(
        `${label}: binary_data_size ${size} runs past the end of the binary data (${tail.byteLength} bytes after the JSON header, ${used} taken by earlier inputs)`,
      );
    }
    input.data = tail.subarray(used, used + size);
    used += size;
  }
  if (used !== tail.byteLength) {
    throw badRequest(`the body carries ${tail.byteLength} bytes of binary data after the JSON header, the inputs' binary_data_size add up to ${used}`);
  }
  return header;
}
