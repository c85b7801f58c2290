import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../scripts/onnx/graph-builder.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;

/**
 * A model whose cost grows with the cube of its non-batch axis `n`: the outer product x·xᵀ ([batch, n, n]) squared
 * `layers` times, summed back to [batch, n]. The warm-up (which runs at a tiny `n`) costs nothing, while one request
 * at n = 1024 runs ~2 s on one fast core (192 × 1024³ multiply-adds, ~100 G/s measured on AVX-512): long against two
 * loopback requests even on a loaded CI machine, without slowing the service's start.
 */
function cubicModel(layers: number): Uint8Array {
  const g = new GraphBuilder('cubic');
  g.input('x', 'FLOAT', ['batch', 'n']);
  const column = g.node('Unsqueeze', ['x', g.int64s('last', [2])]);
  const row = g.node('Unsqueeze', ['x', g.int64s('middle', [1])]);
  let m = g.node('MatMul', [column, row]);
  for (let i = 0; i < layers; i++) m = g.node('MatMul', [m, m]);
  g.node('ReduceSum', [m, 'last'], { keepdims: 0 }, ['y']);
  g.output('y', 'FLOAT', ['batch', 'n']);
  return g.toBytes();
}
const slowN = 1024;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addVersion('slow', 1, cubicModel(192));
  service = await startService({ modelRepository: repo.root, warmupDynamicDim: 4 }, { listen: true });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

describe('the event loop while a model runs', () => {
  it('answers health checks and rejects malformed requests while a long batch is on a worker', async () => {
    let batchDone = false;
    const offBatch = service.app.inferenceEvents.add({ onBatch: () => (batchDone = true) });
    const dispatched = new Promise<void>((resolve) => {
      const off = service.app.inferenceEvents.add({ onQueueDepth: (e) => e.depth === 0 && (off(), resolve()) });
    });
    let inferDone = false;
    // Zeros: the products stay 0, never denormal, so the run time is the arithmetic alone.
    const infer = fetch(`${service.url}/v2/models/slow/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, slowN], data: new Array(slowN).fill(0) }] }),
    }).then((r) => {
      inferDone = true;
      return r;
    });
    await Promise.race([dispatched, infer]);
    // The batch is now inside session.run on the worker. Had it run on the event loop, neither answer below
    // could arrive before the inference finished (and its batch event fired). Both are sent at once.
    const [live, bad] = await Promise.all([
      fetch(`${service.url}/v2/health/live`),
      fetch(`${service.url}/v2/models/slow/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1] }] }),
      }),
    ]);
    expect(batchDone).toBe(false);
    expect(inferDone).toBe(false);
    expect(live.status).toBe(200);
    expect(bad.status).toBe(400);
    const done = await infer;
    expect(done.status).toBe(200);
    expect(((await done.json()) as { outputs: Array<{ shape: number[] }> }).outputs[0]?.shape).toEqual([1, slowN]);
    expect(batchDone).toBe(true);
    offBatch();
  });
});
