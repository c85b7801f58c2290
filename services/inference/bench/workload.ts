import { demoEncoderShape } from '../scripts/demo-model/encoder.js';
import type { WireBody } from './http-wire.js';

/** Tokens per benchmark request: a short domain query, the typical call of a small classifier. */
export const benchSequenceLength = Number(process.env.BENCH_SEQUENCE ?? 32);

/**
 * `count` distinct infer bodies for the demo model (token ids from a fixed formula, no randomness), one row
 * each, so every request is a real batch-of-one call and no cache could answer it.
 */
export function demoBodies(count: number, sequence = benchSequenceLength): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const ids = Array.from({ length: sequence }, (_, t) => (i * 131 + t * 17 + 1) % demoEncoderShape.vocabSize);
    const body = {
      id: `bench-${i}`,
      inputs: [
        { name: 'input_ids', datatype: 'INT64', shape: [1, sequence], data: ids },
        { name: 'attention_mask', datatype: 'INT64', shape: [1, sequence], data: ids.map(() => 1) },
      ],
      outputs: [{ name: 'probabilities' }],
    };
    return Buffer.from(JSON.stringify(body));
  });
}

/**
 * The same requests as demoBodies in the binary tensor data extension, as Triton's client sends them: both INT64
 * inputs as little-endian bytes after the JSON header, and the output asked for in binary (`binary_data: true`).
 */
export function demoBinaryBodies(count: number, sequence = benchSequenceLength): WireBody[] {
  return Array.from({ length: count }, (_, i) => {
    const ids = BigInt64Array.from({ length: sequence }, (_, t) => BigInt((i * 131 + t * 17 + 1) % demoEncoderShape.vocabSize));
    const mask = new BigInt64Array(sequence).fill(1n);
    const size = sequence * 8;
    const header = Buffer.from(
      JSON.stringify({
        id: `bench-${i}`,
        inputs: [
          { name: 'input_ids', datatype: 'INT64', shape: [1, sequence], parameters: { binary_data_size: size } },
          { name: 'attention_mask', datatype: 'INT64', shape: [1, sequence], parameters: { binary_data_size: size } },
        ],
        outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
      }),
    );
    const body = Buffer.concat([header, Buffer.from(ids.buffer), Buffer.from(mask.buffer)]);
    return { body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) } };
  });
}
