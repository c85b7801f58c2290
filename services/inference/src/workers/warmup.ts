import ort from 'onnxruntime-node';

/**
 * Zero-filled feeds for the warm-up run: a dynamic first axis gets `batch` rows, other dynamic axes `dynamicDim`.
 * Zeros are a valid token id, mask and feature value for ordinary models.
 */
export function warmupFeeds(session: ort.InferenceSession, batch: number, dynamicDim: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`input '${meta.name}' is not a tensor; only tensor inputs are supported`);
    const dims = meta.shape.map((d, axis) => (typeof d === 'number' && d >= 0 ? d : axis === 0 ? batch : dynamicDim));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[meta.name] = new ort.Tensor(meta.type as 'float32', zeros(meta.type, size) as Float32Array, dims);
  }
  return feeds;
}

function zeros(type: string, size: number): ArrayBufferView {
  switch (type) {
    case 'int64': return new BigInt64Array(size);
    case 'uint64': return new BigUint64Array(size);
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'uint32': return new Uint32Array(size);
    case 'int16': return new Int16Array(size);
    case 'uint16': case 'float16': return new Uint16Array(size);
    case 'int8': return new Int8Array(size);
    case 'uint8': case 'bool': return new Uint8Array(size);
    default: throw new Error(`unsupported tensor type ${type}`);
  }
}
