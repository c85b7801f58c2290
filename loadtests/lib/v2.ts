/**
 * Open Inference Protocol (KServe V2) request building and response checking, without any k6 import.
 *
 * The k6 scripts and the rollout driver's Node load generator (pipelines/rollout/gate) both use it, so a request
 * "counts as good" by exactly the same rule whichever tool sent it. Pure functions: they run in k6 and in Node.
 */

/** One tensor as described by `GET /v2/models/{model}` (V2 "metadata_tensor"). */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  /** Dimensions; -1 marks a dynamic axis (batch, sequence length). */
  readonly shape: readonly number[];
}

/** The parts of the V2 model metadata response the load tests need. */
export interface ModelMetadata {
  readonly name: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface InferInput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: readonly (number | boolean)[];
}

export interface InferRequest {
  readonly id: string;
  readonly inputs: readonly InferInput[];
}

/** Size chosen for dynamic axes after the batch axis (e.g. the sequence length of token ids). */
export const defaultDynamicLength = 8;

const integerTypes = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const floatTypes = new Set(['FP16', 'FP32', 'FP64']);

/**
 * Builds a valid request for a model from its metadata: batch 1, dynamic axes `dynamicLength`, deterministic data
 * varied by `seed` so that successive requests are not all answered from the result cache.
 * Integer inputs are token ids kept small (0–9) so that any embedding table accepts them, hashed from seed and
 * position so that different seeds give different sequences (10^length of them); inputs whose name says
 * "mask" are all ones, as an attention mask must be.
 */
export function buildInferRequest(
  metadata: ModelMetadata,
  id: string,
  seed: number,
  dynamicLength: number = defaultDynamicLength,
): InferRequest {
  if (metadata.inputs.length === 0) throw new Error(`model "${metadata.name}" declares no inputs`);
  const inputs = metadata.inputs.map((input): InferInput => {
    const shape = input.shape.map((dim, axis) => (dim >= 0 ? dim : axis === 0 ? 1 : dynamicLength));
    const count = shape.reduce((a, b) => a * b, 1);
    const isMask = /mask/i.test(input.name);
    const data: (number | boolean)[] = [];
    for (let i = 0; i < count; i += 1) {
      if (input.datatype === 'BOOL') data.push(true);
      else if (isMask) data.push(1);
      else if (integerTypes.has(input.datatype)) data.push(mix(seed, i) % 10);
      else if (floatTypes.has(input.datatype)) data.push(((seed + i) % 100) / 100);
      else throw new Error(`input "${input.name}": datatype ${input.datatype} is not supported by the load tests`);
    }
    return { name: input.name, datatype: input.datatype, shape, data };
  });
  return { id, inputs };
}

/** A small integer hash (Knuth's multiplicative constant, then xorshift), deterministic in k6 and Node alike. */
function mix(seed: number, position: number): number {
  let h = Math.imul(seed + 1, 2654435761) ^ Math.imul(position + 1, 40503);
  h ^= h >>> 15;
  h = Math.imul(h, 2246822519);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * What a successful answer must mean, beyond HTTP 200: the id echoed, every output present with a datatype and a
 * data length that matches its shape. Returns the list of problems (empty when the answer is good).
 */
export function inferResponseProblems(body: unknown, expectedId: string, metadata: ModelMetadata): string[] {
  if (typeof body !== 'object' || body === null) return ['body is not a JSON object'];
  const answer = body as { id?: unknown; model_name?: unknown; outputs?: unknown };
  const problems: string[] = [];
  if (answer.id !== expectedId) problems.push(`id ${String(answer.id)} does not echo ${expectedId}`);
  if (answer.model_name !== metadata.name) problems.push(`model_name ${String(answer.model_name)} is not ${metadata.name}`);
  if (!Array.isArray(answer.outputs)) return [...problems, 'outputs is not an array'];
  for (const expected of metadata.outputs) {
    const output = (answer.outputs as { name?: unknown; shape?: unknown; data?: unknown }[]).find(
      (o) => o.name === expected.name,
    );
    if (!output) {
      problems.push(`output ${expected.name} is missing`);
      continue;
    }
    if (!Array.isArray(output.shape) || !Array.isArray(output.data)) {
      problems.push(`output ${expected.name} lacks shape or data`);
      continue;
    }
    const count = (output.shape as number[]).reduce((a, b) => a * b, 1);
    if (flatLength(output.data) !== count) {
      problems.push(`output ${expected.name}: ${flatLength(output.data)} values for shape [${String(output.shape)}]`);
    }
  }
  return problems;
}

/** V2 allows flat or nested row-major data; counts the leaves. */
function flatLength(data: unknown[]): number {
  return data.reduce<number>((n, item) => n + (Array.isArray(item) ? flatLength(item) : 1), 0);
}
