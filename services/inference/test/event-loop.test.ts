import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cubicModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;

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
