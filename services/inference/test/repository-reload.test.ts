/**
 * POST /v2/repository/models/{model}/load over real HTTP, with auth on: it needs the `admin` scope; it swaps in
 * changed bytes and new versions only once they are loaded and warmed up (traffic during the reload gets no error),
 * keeps the old load serving when the new one fails its integrity check, refuses a concurrent reload with 409, and
 * unloads what it replaced from the workers.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/model-repository/integrity.js';
import { pairModel, slowModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { realService, type RealService } from './production-support/real-service.js';
import { audience, issuer, rsaKeys, sign } from './production-support/tokens.js';

let repo: FixtureRepository;
let fx: RealService;
let url: string;
let admin: string;

const pairConfig = (hashes: Record<number, string>) => ({
  versionPolicy: { latest: 1 },
  versions: Object.fromEntries(Object.entries(hashes).map(([v, sha256]) => [v, { sha256 }])),
});
const load = (model: string, token = admin) =>
  fetch(`${url}/v2/repository/models/${model}/load`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
/** `sum` of a = [1, 2, 3], b = [1, 1, 1]: (a + b) · scale of the model that answered, and its version. */
async function inferPair(): Promise<{ status: number; version?: string; sum?: number[] }> {
  const res = await fetch(`${url}/v2/models/pair/infer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }, { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] }],
      outputs: [{ name: 'sum' }],
      parameters: { cache: false },
    }),
  });
  if (res.status !== 200) return { status: res.status };
  const body = (await res.json()) as { model_version: string; outputs: Array<{ data: number[] }> };
  return { status: 200, version: body.model_version, sum: body.outputs[0]?.data };
}
const times = (scale: number) => [2, 3, 4].map((x) => x * scale);

beforeAll(async () => {
  repo = await FixtureRepository.create();
  const h1 = await repo.addVersion('pair', 1, pairModel(1));
  await repo.writeConfig('pair', pairConfig({ 1: h1 }));
  await repo.addVersion('slow', 1, slowModel(160));
  const keys = rsaKeys();
  fx = await realService({ JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_PUBLIC_KEY: keys.publicPem, CACHE_ENABLED: 'false' }, undefined, {
    modelRepository: repo.root,
  });
  url = await fx.app.listen({ host: '127.0.0.1', port: 0 });
  admin = await sign(keys, { scope: 'infer models:read admin' });
  const user = await sign(keys, { scope: 'infer models:read' });
  expect((await load('pair', user)).status).toBe(403);
}, 60_000);
afterAll(async () => {
  await fx?.app.close();
  await repo?.remove();
});

describe('POST /v2/repository/models/{model}/load', () => {
  it('swaps in changed bytes once warmed up, with no failed request meanwhile, and unloads the old load', async () => {
    expect(await inferPair()).toEqual({ status: 200, version: '1', sum: times(1) });
    const h5 = await repo.addVersion('pair', 1, pairModel(5));
    await repo.writeConfig('pair', pairConfig({ 1: h5 }));
    let reloading = true;
    const during: Array<Awaited<ReturnType<typeof inferPair>>> = [];
    const traffic = (async () => {
      while (reloading) during.push(await inferPair());
    })();
    const res = await load('pair');
    reloading = false;
    await traffic;
    expect(res.status).toBe(200);
    const report = (await res.json()) as { versions: Array<{ version: number; state: string; sha256: string }>; retired: number[] };
    expect(report.versions).toEqual([{ version: 1, state: 'ready', sha256: h5 }]);
    expect(during.length).toBeGreaterThan(0);
    for (const r of during) expect([times(1), times(5)]).toContainEqual(r.sum); // old or new, never an error
    expect(await inferPair()).toEqual({ status: 200, version: '1', sum: times(5) });
    // The first load ran under the runner key pair:1; it leaves the workers once idle.
    for (let i = 0; i < 100 && fx.app.workerPool.capacity('pair:1') > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fx.app.workerPool.capacity('pair:1')).toBe(0);
  });

  it('keeps the old load serving and answers 422 naming the problem when the new bytes fail the integrity check', async () => {
    await repo.addVersion('pair', 1, pairModel(7)); // config.json still pins the scale-5 file
    const res = await load('pair');
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain('version 1');
    expect(error).toContain('integrity check failed');
    expect(error).toContain('previous load keeps serving');
    expect(await inferPair()).toEqual({ status: 200, version: '1', sum: times(5) });
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
  });

  it('loads a new version and retires the one the version policy no longer selects', async () => {
    const h9 = await repo.addVersion('pair', 2, pairModel(9));
    await repo.writeConfig('pair', pairConfig({ 2: h9 }));
    const res = await load('pair');
    expect(res.status).toBe(200);
    const report = (await res.json()) as { versions: Array<{ version: number }>; retired: number[] };
    expect(report.versions.map((v) => v.version)).toEqual([2]);
    expect(report.retired).toEqual([1]);
    expect(await inferPair()).toEqual({ status: 200, version: '2', sum: times(9) });
    const gone = await fetch(`${url}/v2/models/pair/versions/1/ready`, { headers: { authorization: `Bearer ${admin}` } });
    expect(gone.status).toBe(404);
  });

  it('refuses a second reload while one is running (409)', async () => {
    // Sent together; the slow model's warm-up keeps whichever arrives first busy far longer than the gap.
    const answers = await Promise.all([load('slow'), load('pair')]);
    const byStatus = new Map(answers.map((r) => [r.status, r]));
    expect([...byStatus.keys()].sort()).toEqual([200, 409]);
    expect(((await byStatus.get(409)!.json()) as { error: string }).error).toContain('already running');
    expect((await load('pair')).status).toBe(200);
  });

  it('answers 404 for a model the repository does not have and 422 for an invalid config.json', async () => {
    const missing = await load('nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain("model 'nope' is not in the model repository");
    await writeFile(join(repo.root, 'pair', 'config.json'), '{ not json');
    const bad = await load('pair');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: string }).error).toContain('invalid JSON');
    expect(await inferPair()).toEqual({ status: 200, version: '2', sum: times(9) });
  });

  it('checks the hash it reports against the file on disk', async () => {
    expect(fx.app.modelRegistry.resolve('pair', '2').sha256).toBe(sha256Hex(pairModel(9)));
  });

  it('answers 422 naming the repository when it cannot be read, and keeps serving', async () => {
    await rename(repo.root, `${repo.root}-moved`);
    try {
      const res = await load('pair');
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: string }).error).toContain(`model repository ${repo.root} cannot be read`);
      expect(await inferPair()).toEqual({ status: 200, version: '2', sum: times(9) });
    } finally {
      await rename(`${repo.root}-moved`, repo.root);
    }
  });
});
