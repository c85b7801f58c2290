import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildDemoEncoder, demoEncoderShape } from '../scripts/demo-model/encoder.js';
import { writeDemoModel } from '../scripts/demo-model/write-demo-model.js';
import { sha256Hex } from '../src/model-repository/integrity.js';

const committed = new URL('../models/demo/', import.meta.url);

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
});
