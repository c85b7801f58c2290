/**
 * `npm run drift-sample`: NDJSON of V2 infer requests for the demo encoder, the reference traffic its drift profile
 * was written from, or a shifted variant (longer requests, token ids from the other end of the vocabulary) that
 * the drift alert must catch. Seeded, so the same arguments give the same file.
 *
 *   npm run drift-sample -- [--shifted] [--count 1000] [--seed 1] [--out sample.ndjson]
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { demoEncoderShape } from '../demo-model/encoder.js';
import { mulberry32 } from '../onnx/prng.js';

export interface SampleOptions {
  readonly count: number;
  readonly seed: number;
  readonly shifted: boolean;
}

/**
 * Reference: 8–24 tokens, ids skewed to the low end (id ≈ vocab × u³, like word frequencies). Shifted: 32–64
 * tokens, ids ≈ vocab × u^0.5 (mostly rare tokens): what a new client or a changed tokenizer would send.
 */
export function demoRequest(random: () => number, shifted: boolean): object {
  const [minLength, maxLength] = shifted ? [32, 64] : [8, 24];
  const length = minLength + Math.floor(random() * (maxLength - minLength + 1));
  const vocab = demoEncoderShape.vocabSize - 1;
  const ids = Array.from({ length }, () => 1 + Math.floor(vocab * random() ** (shifted ? 0.5 : 3)));
  return {
    inputs: [
      { name: 'input_ids', datatype: 'INT64', shape: [1, length], data: ids },
      { name: 'attention_mask', datatype: 'INT64', shape: [1, length], data: ids.map(() => 1) },
    ],
    outputs: [{ name: 'probabilities' }],
  };
}

export function demoSample(options: SampleOptions): string {
  const random = mulberry32(options.seed);
  return Array.from({ length: options.count }, () => JSON.stringify(demoRequest(random, options.shifted))).join('\n') + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { values } = parseArgs({ options: { shifted: { type: 'boolean' }, count: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } }, strict: true });
    const count = Number(values.count ?? '1000');
    const seed = Number(values.seed ?? '1');
    if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got "${values.count}"`);
    if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
    const text = demoSample({ count, seed, shifted: values.shifted === true });
    if (values.out) {
      await writeFile(resolve(process.env.INIT_CWD ?? process.cwd(), values.out), text);
      console.error(`drift-sample: wrote ${count} ${values.shifted ? 'shifted' : 'reference'} requests to ${values.out}`);
    } else process.stdout.write(text);
  } catch (error) {
    console.error(`drift-sample: ${(error as Error).message}\nusage: npm run drift-sample -- [--shifted] [--count 1000] [--seed 1] [--out sample.ndjson]`);
    process.exitCode = 2;
  }
}
