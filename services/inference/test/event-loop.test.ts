import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addVersion('slow', 1, slowModel(800));
  service = await startService({ modelRepository: repo.root }, { listen: true });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

describe('the event loop while a model runs', () => {
  it('answers health checks and rejects malformed requests while a long batch is on a worker', async () => {
    const dispatched = new Promise<void>((resolve) => {
      const off = service.app.inferenceEvents.add({ onQueueDepth: (e) => e.depth === 0 && (off(), resolve()) });
    });
    let inferDone = false;
    const infer = fetch(`${service.url}/v2/models/slow/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [16, 512], data: new Array(16 * 512).fill(0.5) }] }),
    }).then((r) => {
      inferDone = true;
      return r;
    });
    await Promise.race([dispatched, infer]);
    // The batch is now inside session.run on the worker. Had it run on the event loop, neither answer below
    // could arrive before the inference finished.
    const live = await fetch(`${service.url}/v2/health/live`);
    const bad = await fetch(`${service.url}/v2/models/slow/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 512], data: [1] }] }),
    });
    expect(inferDone).toBe(false);
    expect(live.status).toBe(200);
    expect(bad.status).toBe(400);
    expect((await infer).status).toBe(200);
  });
});
