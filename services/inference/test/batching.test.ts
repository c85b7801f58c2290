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
/**
 * Queue delay of the `scheduled` and `tight` models: long against the milliseconds the test needs to queue a few
 * requests, so whether a batch waited for it is decided by the rules; short enough that the tests which wait it
 * out stay quick.
 */
const scheduledDelayMs = 2000;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addDemo('demo');
  await repo.addDemo('scheduled');
  await repo.addVersion('pair', 1, pairModel(1));
  const demoConfig = JSON.parse(await readFile(join(repo.root, 'demo', 'config.json'), 'utf8'));
  // Long delay + preferred size 4: dispatch timing is decided by the rules, not by how fast the test runs.
  const delayUs = scheduledDelayMs * 1000;
  await repo.writeConfig('scheduled', { ...demoConfig, batching: { maxBatchSize: 16, preferredBatchSizes: [4], maxQueueDelayMicroseconds: delayUs } });
  await repo.addDemo('tight');
  await repo.writeConfig('tight', { ...demoConfig, batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: delayUs, maxQueueSize: 2 } });
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

function inferBody(s: Sample, id: string) {
  return {
    id,
    inputs: [
      { name: 'input_ids', datatype: 'INT64', shape: [s.rows, s.sequence], data: s.ids },
      { name: 'attention_mask', datatype: 'INT64', shape: [s.rows, s.sequence], data: s.mask },
    ],
  };
}

/** A request in-process (app.inject): no connection setup between requests sent together. */
function inferInject(model: string, s: Sample, id: string) {
  return service.app.inject({
    method: 'POST',
    url: `/v2/models/${model}/infer`,
    payload: inferBody(s, id),
  });
}

async function inferHttp(model: string, s: Sample, id: string): Promise<{ id: string; outputs: Array<{ name: string; shape: number[]; data: number[] }> }> {
  const res = await fetch(`${service.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(inferBody(s, id)),
  });
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
});

/**
 * The scheduling rules, asserted on the batcher's own BatchEvents (queueMs is measured in the server), not on the
 * client's clock. Requests go through app.inject: the same route, parser and batcher, but they reach the queue
 * within milliseconds of each other instead of after a connection setup each, which a loaded machine can stretch
 * towards the queue delay.
 */
describe('batch scheduling rules', () => {
  const oneRow = (fill: number, sequence = 8): Sample => ({ rows: 1, sequence, ids: new Array(sequence).fill(fill), mask: new Array(sequence).fill(1) });
  const queueMsOf = (event: BatchEvent | undefined) => Math.max(...(event?.queueMs ?? [Number.NaN]));

  it('dispatches a preferred batch size at once, without waiting for the queue delay', async () => {
    batches.length = 0;
    const responses = await Promise.all([0, 1, 2, 3].map((i) => inferInject('scheduled', oneRow(i + 1), `p${i}`)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(batches.map((b) => b.batchSize)).toEqual([4]);
    // Held for the delay, the oldest would have waited ≥ scheduledDelayMs; at once, a small fraction of it.
    expect(queueMsOf(batches[0])).toBeLessThan(scheduledDelayMs / 2);
  });

  it('never combines requests whose non-batch dimensions differ', async () => {
    batches.length = 0;
    const shapes = [8, 12, 8, 12];
    const responses = await Promise.all(shapes.map((sequence, i) => inferInject('scheduled', oneRow(i + 5, sequence), `m${i}`)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    // Two groups of two rows: neither reaches the preferred size 4, so each leaves only when its oldest request has
    // waited the whole delay (the batcher measures that on the same clock it reports).
    expect(batches.map((b) => b.batchSize)).toEqual([2, 2]);
    for (const batch of batches) expect(queueMsOf(batch)).toBeGreaterThanOrEqual(scheduledDelayMs);
  });

  it('runs a request with more rows than the preferred size at once and alone; the request after it still runs', async () => {
    batches.length = 0;
    const rows = (n: number, fill: number): Sample => ({ rows: n, sequence: 8, ids: new Array(8 * n).fill(fill), mask: new Array(8 * n).fill(1) });
    // `small` is sent only once `big` has been dispatched, so the order of the batches is fixed by the test.
    const bigDispatched = new Promise<void>((resolve) => {
      const off = service.app.inferenceEvents.add({ onQueueDepth: (e) => e.model === 'scheduled' && e.depth === 0 && (off(), resolve()) });
    });
    const big = inferInject('scheduled', rows(5, 7), 'big');
    await bigDispatched;
    const small = inferInject('scheduled', rows(1, 8), 'small');
    expect((await Promise.all([big, small])).map((r) => r.statusCode)).toEqual([200, 200]);
    expect(batches.map((b) => b.batchSize)).toEqual([5, 1]);
    expect(queueMsOf(batches[0])).toBeLessThan(scheduledDelayMs / 2); // not held for the delay
  });

  it('fails only the bad request of a batch when the model rejects it', async () => {
    batches.length = 0;
    const bad: Sample = { rows: 1, sequence: 8, ids: [1, 2, 3, 5000, 4, 5, 6, 7], mask: new Array(8).fill(1) };
    const responses = await Promise.all([oneRow(1), bad, oneRow(2), oneRow(3)].map((s, i) => inferInject('scheduled', s, `b${i}`)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 400, 200, 200]);
    const error = (responses[1]?.json() as { error: string }).error;
    expect(error).toContain('the model rejected this request');
    expect(error).toContain('idx=5000');
    expect(batches.map((b) => b.batchSize)).toEqual([4]);
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    const full = new Promise<void>((resolve) => {
      const off = service.app.inferenceEvents.add({ onQueueDepth: (e) => e.model === 'tight' && e.depth === 2 && (off(), resolve()) });
    });
    const first = [inferInject('tight', oneRow(3), 'q0'), inferInject('tight', oneRow(3), 'q1')];
    // Both wait out the queue delay, so the queue is full when the third arrives.
    await full;
    const third = await inferInject('tight', oneRow(3), 'q2');
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((third.json() as { error: string }).error).toContain('maxQueueSize 2');
    expect((await Promise.all(first)).map((r) => r.statusCode)).toEqual([200, 200]);
  });
});
