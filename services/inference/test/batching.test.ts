import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchEvent } from '../src/batching/observer.js';
import { pairModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;
let reference: ort.InferenceSession;
const batches: BatchEvent[] = [];

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addDemo('demo');
  await repo.addDemo('scheduled');
  await repo.addVersion('pair', 1, pairModel(1));
  const demoConfig = JSON.parse(await readFile(join(repo.root, 'demo', 'config.json'), 'utf8'));
  // Long delay + preferred size 4: dispatch timing is decided by the rules, not by how fast the test runs.
  await repo.writeConfig('scheduled', { ...demoConfig, batching: { maxBatchSize: 16, preferredBatchSizes: [4], maxQueueDelayMicroseconds: 1_000_000 } });
  await repo.addDemo('tight');
  await repo.writeConfig('tight', { ...demoConfig, batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: 1_000_000, maxQueueSize: 2 } });
  service = await startService({ modelRepository: repo.root }, { listen: true });
  service.app.inferenceEvents.add({ onBatch: (e) => batches.push(e) });
  reference = await ort.InferenceSession.create(join(repo.root, 'demo', '1', 'model.onnx'));
});

afterAll(async () => {
  await service?.close();
  await reference?.release();
  await repo?.remove();
});

interface Sample {
  readonly rows: number;
  readonly sequence: number;
  readonly ids: number[];
  readonly mask: number[];
}

/** Deterministic requests of several shapes, with padding (mask 0) at the end of some rows. */
function sample(i: number): Sample {
  const rows = 1 + (i % 3);
  const sequence = [4, 8, 13][i % 3 === 0 ? (i / 3) % 3 : i % 3] ?? 8;
  const ids = Array.from({ length: rows * sequence }, (_, k) => (i * 97 + k * 31) % 2048);
  const mask = Array.from({ length: rows * sequence }, (_, k) => (k % sequence < sequence - (i % 2) ? 1 : 0));
  return { rows, sequence, ids, mask };
}

function inferRaw(model: string, s: Sample, id: string): Promise<Response> {
  return fetch(`${service.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id,
      inputs: [
        { name: 'input_ids', datatype: 'INT64', shape: [s.rows, s.sequence], data: s.ids },
        { name: 'attention_mask', datatype: 'INT64', shape: [s.rows, s.sequence], data: s.mask },
      ],
    }),
  });
}

async function inferHttp(model: string, s: Sample, id: string): Promise<{ id: string; outputs: Array<{ name: string; shape: number[]; data: number[] }> }> {
  const res = await inferRaw(model, s, id);
  expect(res.status).toBe(200);
  return res.json() as never;
}

async function unbatched(s: Sample): Promise<Record<string, number[]>> {
  const dims = [s.rows, s.sequence];
  const out = await reference.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(s.ids, BigInt), dims),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(s.mask, BigInt), dims),
  });
  return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, Array.from(t.data as Float32Array)]));
}

describe('dynamic batching over HTTP', () => {
  it('answers 60 concurrent mixed-shape requests as unbatched runs would (to float32 rounding)', async () => {
    batches.length = 0;
    const samples = Array.from({ length: 60 }, (_, i) => sample(i));
    const responses = await Promise.all(samples.map((s, i) => inferHttp('demo', s, `r${i}`)));
    for (const [i, s] of samples.entries()) {
      const response = responses[i];
      expect(response?.id).toBe(`r${i}`);
      const expected = await unbatched(s);
      for (const output of response?.outputs ?? []) {
        expect(output.shape[0]).toBe(s.rows);
        const want = expected[output.name] ?? [];
        expect(output.data.length).toBe(want.length);
        // Batched and unbatched runs agree to float32 rounding: the GEMM kernels may order sums differently
        // for different batch heights, so the comparison allows a few ulps (never another row's values).
        output.data.forEach((v, k) => expect(Math.abs(v - (want[k] ?? Number.NaN))).toBeLessThan(1e-5));
      }
    }
    // The batcher really combined requests: some batch held more rows than any single request has.
    expect(Math.max(...batches.map((b) => b.batchSize))).toBeGreaterThan(3);
    expect(batches.reduce((n, b) => n + b.queueMs.length, 0)).toBe(60);
    expect(batches.every((b) => b.ok && b.computeMs > 0)).toBe(true);
  });

  it('splits results back exactly: each request gets its own rows (elementwise model, bit-exact)', async () => {
    batches.length = 0;
    const requests = Array.from({ length: 40 }, (_, i) => {
      const rows = 1 + (i % 4);
      const a = Array.from({ length: rows * 3 }, (_, k) => i * 1000 + k);
      const b = Array.from({ length: rows * 3 }, (_, k) => k / 4);
      return { rows, a, b };
    });
    const responses = await Promise.all(
      requests.map(async ({ rows, a, b }, i) => {
        const res = await fetch(`${service.url}/v2/models/pair/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            id: `e${i}`,
            inputs: [
              { name: 'a', datatype: 'FP32', shape: [rows, 3], data: a },
              { name: 'b', datatype: 'FP32', shape: [rows, 3], data: b },
            ],
            outputs: [{ name: 'sum' }],
          }),
        });
        return (await res.json()) as { id: string; outputs: Array<{ shape: number[]; data: number[] }> };
      }),
    );
    requests.forEach(({ rows, a, b }, i) => {
      expect(responses[i]?.id).toBe(`e${i}`);
      expect(responses[i]?.outputs[0]?.shape).toEqual([rows, 3]);
      expect(responses[i]?.outputs[0]?.data).toEqual(a.map((v, k) => v + (b[k] ?? 0)));
    });
    expect(Math.max(...batches.map((e) => e.queueMs.length))).toBeGreaterThan(1);
  });

  it('dispatches a preferred batch size at once, without waiting for the queue delay', async () => {
    batches.length = 0;
    const started = performance.now();
    await Promise.all([0, 1, 2, 3].map((i) => inferHttp('scheduled', { rows: 1, sequence: 8, ids: new Array(8).fill(i + 1), mask: new Array(8).fill(1) }, `p${i}`)));
    expect(batches.map((b) => b.batchSize)).toEqual([4]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('never combines requests whose non-batch dimensions differ', async () => {
    batches.length = 0;
    const shapes = [8, 12, 8, 12];
    await Promise.all(shapes.map((sequence, i) => inferHttp('scheduled', { rows: 1, sequence, ids: new Array(sequence).fill(i + 5), mask: new Array(sequence).fill(1) }, `m${i}`)));
    // Two groups of two rows: neither reaches the preferred size 4, each leaves after the 1 s delay.
    expect(batches.map((b) => b.batchSize).sort()).toEqual([2, 2]);
    expect(Math.min(...batches.flatMap((b) => b.queueMs))).toBeGreaterThanOrEqual(500);
  });

  it('runs a request with more rows than the preferred size at once, alone, and the requests behind it too', async () => {
    batches.length = 0;
    const rows = (n: number, fill: number): Sample => ({ rows: n, sequence: 8, ids: new Array(8 * n).fill(fill), mask: new Array(8 * n).fill(1) });
    const responses = await Promise.all([inferRaw('scheduled', rows(5, 7), 'big'), inferRaw('scheduled', rows(1, 8), 'small')]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(batches[0]?.batchSize).toBe(5);
    expect(batches.map((b) => b.batchSize).sort()).toEqual([1, 5]);
  });

  it('fails only the bad request of a batch when the model rejects it', async () => {
    batches.length = 0;
    const ok = (i: number): Sample => ({ rows: 1, sequence: 8, ids: new Array(8).fill(i + 1), mask: new Array(8).fill(1) });
    const bad: Sample = { rows: 1, sequence: 8, ids: [1, 2, 3, 5000, 4, 5, 6, 7], mask: new Array(8).fill(1) };
    const responses = await Promise.all([ok(0), bad, ok(1), ok(2)].map((s, i) => inferRaw('scheduled', s, `b${i}`)));
    expect(responses.map((r) => r.status)).toEqual([200, 400, 200, 200]);
    const error = ((await responses[1]?.json()) as { error: string }).error;
    expect(error).toContain('the model rejected this request');
    expect(error).toContain('idx=5000');
    expect(batches.map((b) => b.batchSize)).toEqual([4]);
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    const s: Sample = { rows: 1, sequence: 8, ids: new Array(8).fill(3), mask: new Array(8).fill(1) };
    const full = new Promise<void>((resolve) => {
      const off = service.app.inferenceEvents.add({ onQueueDepth: (e) => e.model === 'tight' && e.depth === 2 && (off(), resolve()) });
    });
    const first = [inferRaw('tight', s, 'q0'), inferRaw('tight', s, 'q1')];
    // Both wait out the 1 s queue delay, so the queue is full when the third arrives.
    await full;
    const third = await inferRaw('tight', s, 'q2');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await third.json()) as { error: string }).error).toContain('maxQueueSize 2');
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
  });
});
