import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRestartEvent } from '../src/batching/observer.js';
import { pairModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;
const restarts: WorkerRestartEvent[] = [];

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addVersion('pair', 1, pairModel(1));
  service = await startService({ modelRepository: repo.root, workerThreads: 1 }, { listen: true, allowWorkerExitMessage: true });
  service.app.inferenceEvents.add({ onWorkerRestart: (e) => restarts.push(e) });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

const infer = (i: number) =>
  fetch(`${service.url}/v2/models/pair/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 3], data: [i, i, i] },
        { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] },
      ],
    }),
  });

async function until200(deadlineMs: number): Promise<Response> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const res = await infer(7);
    if (res.status === 200 || Date.now() > end) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a worker thread that dies', () => {
  it('fails its requests with 503 instead of leaving them hanging, and is replaced', async () => {
    const before = service.app.workerPool.workerIds();
    // The worker exits when the next batch reaches it: a crash in the middle of running these requests.
    service.app.workerPool.crashWorker(0, 'during-next-run');
    const responses = await Promise.all([1, 2, 3, 4, 5].map(infer));
    const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, error: ((await r.json()) as { error?: string }).error })));
    const died = bodies.filter((b) => b.status === 503 && b.error?.includes('the worker thread running this request died'));
    expect(died.length).toBeGreaterThanOrEqual(1);
    // The others were queued behind the dead batch: answered 503 while no worker had the model, or 200 after reload.
    for (const b of bodies) expect(b.status === 200 || (b.status === 503 && /died|no worker has model/.test(b.error ?? ''))).toBe(true);

    expect((await fetch(`${service.url}/v2/health/live`)).status).toBe(200);
    const recovered = await until200(15_000);
    expect(recovered.status).toBe(200);
    expect(((await recovered.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]?.data).toEqual([8, 9, 10]);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]?.workerId).toBe(before[0]);
    expect(restarts[0]?.reason).toContain('exit code 70');
    expect(service.app.workerPool.workerIds()).not.toEqual(before);
    expect(service.logs.some((l) => l.msg === 'worker thread died and was replaced')).toBe(true);
  });
});
