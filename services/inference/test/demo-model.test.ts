import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildDemoEncoder, demoEncoderShape } from '../scripts/demo-model/encoder.js';
import { buildDecoder, demoDecoderShape } from '../scripts/demo-model/decoder.js';
import { writeDemoModel, writeGenerativeModel } from '../scripts/demo-model/write-demo-model.js';
import { sha256Hex } from '../src/model-repository/integrity.js';

const committed = new URL('../models/demo/', import.meta.url);
const committedLlm = new URL('../models/demo-llm/', import.meta.url);
const llmFiles = ['model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];

describe('demo model', () => {
  it('regenerates byte-identically, and config.json holds its SHA-256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-model-'));
    try {
      const { sha256, file } = await writeDemoModel(dir);
      const regenerated = await readFile(file);
      const bundled = await readFile(new URL('1/model.onnx', committed));
      expect(regenerated.equals(bundled)).toBe(true);
      const config = JSON.parse(await readFile(new URL('config.json', committed), 'utf8'));
      expect(config.versions['1'].sha256).toBe(sha256);
      expect(sha256Hex(bundled)).toBe(sha256);
      expect(await readFile(join(dir, 'demo', 'config.json'), 'utf8')).toBe(await readFile(new URL('config.json', committed), 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is a transformer encoder ONNX Runtime accepts: dynamic batch and sequence, masked tokens ignored', async () => {
    const session = await ort.InferenceSession.create(buildDemoEncoder());
    expect(session.inputMetadata.map((m) => (m.isTensor ? [m.name, m.type, m.shape] : m.name))).toEqual([
      ['input_ids', 'int64', ['batch', 'sequence']],
      ['attention_mask', 'int64', ['batch', 'sequence']],
    ]);
    const run = async (ids: number[], mask: number[]) => {
      const dims = [1, ids.length];
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask, BigInt), dims),
      });
      return { probabilities: Array.from(out.probabilities?.data as Float32Array), embedding: out.embedding };
    };
    const short = await run([5, 6, 7], [1, 1, 1]);
    expect(short.embedding?.dims).toEqual([1, demoEncoderShape.hidden]);
    expect(short.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Padding behind a zero mask must not change the answer (the attention bias and pooling both honour it).
    const padded = await run([5, 6, 7, 0, 0], [1, 1, 1, 0, 0]);
    padded.probabilities.forEach((p, i) => expect(p).toBeCloseTo(short.probabilities[i] ?? Number.NaN, 5));
    const other = await run([9, 10, 11], [1, 1, 1]);
    expect(other.probabilities).not.toEqual(short.probabilities);
    await session.release();
  });

  it('the demo LLM folder regenerates byte-identically (model, HF config, tokenizer files), config.json holding its SHA-256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-llm-'));
    try {
      const { sha256, directory } = await writeGenerativeModel(dir);
      for (const file of llmFiles) {
        const bundled = await readFile(new URL(`1/${file}`, committedLlm));
        expect(bundled.equals(await readFile(join(directory, file))), `${file} differs from what npm run demo-model writes`).toBe(true);
      }
      expect(await readFile(join(dir, 'demo-llm', 'config.json'), 'utf8')).toBe(await readFile(new URL('config.json', committedLlm), 'utf8'));
      const config = JSON.parse(await readFile(new URL('config.json', committedLlm), 'utf8'));
      expect(config.versions['1'].sha256).toBe(sha256);
      expect(sha256Hex(await readFile(new URL('1/model.onnx', committedLlm)))).toBe(sha256);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the demo LLM is an Optimum-layout decoder: padding and past keys change nothing, positions come from position_ids', async () => {
    const session = await ort.InferenceSession.create(buildDecoder());
    const { layers, kvHeads, headDim, vocabSize } = demoDecoderShape;
    expect(session.inputNames).toEqual([
      'input_ids', 'attention_mask', 'position_ids',
      ...Array.from({ length: layers }, (_, l) => [`past_key_values.${l}.key`, `past_key_values.${l}.value`]).flat(),
    ]);
    expect(session.outputNames).toEqual(['logits', ...Array.from({ length: layers }, (_, l) => [`present.${l}.key`, `present.${l}.value`]).flat()]);
    const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]?.length ?? 0]);
    const run = (ids: number[][], mask: number[][], positions: number[][], past?: ort.InferenceSession.OnnxValueMapType) => {
      const feeds: Record<string, ort.Tensor> = { input_ids: int64(ids), attention_mask: int64(mask), position_ids: int64(positions) };
      for (let l = 0; l < layers; l++) {
        for (const kind of ['key', 'value']) {
          feeds[`past_key_values.${l}.${kind}`] = (past?.[`present.${l}.${kind}`] as ort.Tensor | undefined) ?? new ort.Tensor('float32', new Float32Array(0), [ids.length, kvHeads, 0, headDim]);
        }
      }
      return session.run(feeds);
    };
    const lastLogits = (out: ort.InferenceSession.OnnxValueMapType, row = 0) => {
      const logits = out.logits as ort.Tensor;
      const [, seq] = logits.dims as number[];
      const data = logits.data as Float32Array;
      return Array.from(data.subarray((row * (seq ?? 0) + (seq ?? 0) - 1) * vocabSize, (row * (seq ?? 0) + (seq ?? 0)) * vocabSize));
    };
    // Whole prompt at once versus prompt then one cached step: the same logits for the last token.
    const whole = await run([[256, 72, 105, 33]], [[1, 1, 1, 1]], [[0, 1, 2, 3]]);
    const prefix = await run([[256, 72, 105]], [[1, 1, 1]], [[0, 1, 2]]);
    expect((prefix['present.0.key'] as ort.Tensor).dims).toEqual([1, kvHeads, 3, headDim]);
    const step = await run([[33]], [[1, 1, 1, 1]], [[3]], prefix);
    lastLogits(step).forEach((v, i) => expect(v).toBeCloseTo(lastLogits(whole)[i] ?? Number.NaN, 4));
    // Left padding behind a zero mask, with the true positions, leaves the row's logits unchanged.
    const padded = await run([[0, 0, 256, 72, 105, 33]], [[0, 0, 1, 1, 1, 1]], [[0, 0, 0, 1, 2, 3]]);
    lastLogits(padded).forEach((v, i) => expect(v).toBeCloseTo(lastLogits(whole)[i] ?? Number.NaN, 4));
    // Other positions give other logits: position_ids are read.
    const shifted = await run([[256, 72, 105, 33]], [[1, 1, 1, 1]], [[5, 6, 7, 8]]);
    expect(lastLogits(shifted)).not.toEqual(lastLogits(whole));
    await session.release();
  });
});
