import { dataTypeFromOrt } from '../protocol/datatypes.js';
import type { TensorSpec } from '../protocol/types.js';
import type { WireValueMetadata } from '../workers/messages.js';

/**
 * Protocol tensor specs from ONNX Runtime's session metadata: symbolic or unknown dimensions become -1. A model
 * is batchable when every input and output has a dynamic first axis (what exporters produce for `batch`).
 */
export function tensorSpecs(
  inputs: readonly WireValueMetadata[],
  outputs: readonly WireValueMetadata[],
): { inputs: TensorSpec[]; outputs: TensorSpec[]; batchable: boolean } {
  const convert = (kind: string) => (meta: WireValueMetadata): TensorSpec => {
    const datatype = dataTypeFromOrt(meta.type);
    if (!datatype) throw new Error(`${kind} '${meta.name}' has type ${meta.type}, which this server does not support (BYTES and non-tensor values are not implemented)`);
    return { name: meta.name, datatype, shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
  };
  const specs = { inputs: inputs.map(convert('input')), outputs: outputs.map(convert('output')) };
  const batchable = [...specs.inputs, ...specs.outputs].every((s) => s.shape.length > 0 && s.shape[0] === -1);
  return { ...specs, batchable };
}
