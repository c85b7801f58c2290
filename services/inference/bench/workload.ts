import { demoEncoderShape } from '../scripts/demo-model/encoder.js';

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
