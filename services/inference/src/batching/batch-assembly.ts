import { dataTypeFromOrt, dataTypeInfo, type TypedArray } from '../protocol/datatypes.js';
import type { HostTensor, TensorSpec } from '../protocol/types.js';
import type { WireTensor } from '../workers/messages.js';

/**
 * Concatenates the requests' tensors along axis 0, input by input in the model's order. Requests in one batch
 * have equal non-batch dimensions (the batcher groups them by signature), so this is a plain row-major append.
 * A single request's own buffers are passed through without a copy.
 */
export function assembleBatch(specs: readonly TensorSpec[], requests: ReadonlyArray<readonly HostTensor[]>, rows: readonly number[]): WireTensor[] {
  const totalRows = rows.reduce((a, b) => a + b, 0);
  return specs.map((spec) => {
    const parts = requests.map((inputs) => {
      const tensor = inputs.find((t) => t.name === spec.name);
      if (!tensor) throw new Error(`request lacks input '${spec.name}'`);
      return tensor;
    });
    const first = parts[0] as HostTensor;
    const type = dataTypeInfo[spec.datatype].ort;
    if (parts.length === 1) return { name: spec.name, type, dims: first.shape, data: first.data };
    const data = dataTypeInfo[spec.datatype].allocate(parts.reduce((n, t) => n + t.data.length, 0));
    let offset = 0;
    for (const part of parts) {
      (data as Float32Array).set(part.data as Float32Array, offset);
      offset += part.data.length;
    }
    return { name: spec.name, type, dims: [totalRows, ...first.shape.slice(1)], data };
  });
}

/** Splits batch outputs back into one list per request, `rows[i]` rows each, in order. Copies, so each owns its data. */
export function splitBatch(outputs: readonly WireTensor[], rows: readonly number[]): HostTensor[][] {
  const totalRows = rows.reduce((a, b) => a + b, 0);
  const perRequest: HostTensor[][] = rows.map(() => []);
  for (const output of outputs) {
    const datatype = dataTypeFromOrt(output.type);
    if (!datatype) throw new Error(`output '${output.name}' has type ${output.type}, which the protocol cannot carry`);
    if (rows.length === 1) {
      perRequest[0]?.push({ name: output.name, datatype, shape: output.dims, data: output.data });
      continue;
    }
    if (output.dims[0] !== totalRows) {
      throw new Error(`output '${output.name}' has shape [${output.dims.join(',')}], not ${totalRows} rows first; set batching.maxBatchSize to 0 for this model`);
    }
    const rowSize = output.dims.slice(1).reduce((a, b) => a * b, 1);
    let row = 0;
    rows.forEach((count, i) => {
      const data: TypedArray = output.data.slice(row * rowSize, (row + count) * rowSize);
      perRequest[i]?.push({ name: output.name, datatype, shape: [count, ...output.dims.slice(1)], data });
      row += count;
    });
  }
  return perRequest;
}

/** Converts a worker's outputs for one request. */
export function toHostTensors(outputs: readonly WireTensor[]): HostTensor[] {
  return splitBatch(outputs, [outputs[0]?.dims[0] ?? 1])[0] ?? [];
}
