import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelReadyEvent } from '../src/batching/observer.js';
import { pairModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;
let goodSha: string;
let tamperedSha: string;
const wrongSha = 'f'.repeat(64);
const readyEvents: ModelReadyEvent[] = [];

beforeAll(async () => {
  repo = await FixtureRepository.create();
  goodSha = await repo.addVersion('pair', 1, pairModel(1));
  await repo.writeConfig('pair', { versions: { 1: { sha256: goodSha } } });
  tamperedSha = await repo.addVersion('tampered', 1, pairModel(2));
  await repo.writeConfig('tampered', { versions: { 1: { sha256: wrongSha } } });
  await repo.addVersion('mixed', 1, pairModel(1));
  await repo.addVersion('mixed', 2, pairModel(3));
  await repo.writeConfig('mixed', { versionPolicy: 'all', versions: { 1: { sha256: goodSha }, 2: { sha256: wrongSha } } });
  await repo.addVersion('badconfig', 1, pairModel(1));
  await repo.writeConfig('badconfig', '{"versions": ');
  await repo.addVersion('pinned', 1, pairModel(1));
  await repo.writeConfig('pinned', { versionPolicy: { specific: [1, 3] } });
  await repo.addVersion('corrupt', 1, new TextEncoder().encode('this is not an ONNX model'));
  await repo.addVersion('gpu', 1, pairModel(1));
  await repo.writeConfig('gpu', { executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'] });
  await repo.addVersion('gpu_required', 1, pairModel(1));
  await repo.writeConfig('gpu_required', { executionProviders: ['tensorrt'], gpuRequired: true });
  service = await startService({ modelRepository: repo.root }, { observers: [{ onModelReady: (e) => readyEvents.push(e) }] });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

const get = (url: string) => service.app.inject({ method: 'GET', url });
const payload = {
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] },
    { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] },
  ],
};
const infer = (url: string) => service.app.inject({ method: 'POST', url, payload });

describe('model ready events (inference_model_ready)', () => {
  it('reports every version not ready while loading, then ready or refused', () => {
    const of = (model: string, version: number) => readyEvents.filter((e) => e.model === model && e.version === version).map((e) => [e.ready, e.reason]);
    expect(of('pair', 1)).toEqual([[false, 'loading'], [true, undefined]]);
    expect(of('tampered', 1)).toEqual([[false, 'loading'], [false, expect.stringContaining('integrity check failed')]]);
    // Loading reports come first for all versions, before any version finishes.
    const firstDone = readyEvents.findIndex((e) => e.reason !== 'loading');
    expect(readyEvents.slice(firstDone).some((e) => e.reason === 'loading')).toBe(false);
  });
});

describe('integrity check', () => {
  it('refuses a version whose SHA-256 differs, with a log line naming file, expected and actual hash', async () => {
    const ready = await get('/v2/models/tampered/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error).toContain(`expected sha256 ${wrongSha}, actual ${tamperedSha}`);
    expect((await infer('/v2/models/tampered/infer')).statusCode).toBe(503);
    expect((await get('/v2/models/tampered')).statusCode).toBe(503);
    const line = service.logs.find((l) => l.model === 'tampered' && l.level === 50);
    expect(line?.msg).toContain('integrity check failed');
    expect(line?.file).toMatch(/tampered\/1\/model\.onnx$/);
    expect(line?.expected).toBe(wrongSha);
    expect(line?.actual).toBe(tamperedSha);
  });

  it('keeps serving every other model, and the server stays ready', async () => {
    expect((await get('/v2/health/ready')).statusCode).toBe(200);
    const res = await infer('/v2/models/pair/infer');
    expect(res.statusCode).toBe(200);
    expect(res.json().outputs[0].data).toEqual([2, 3, 4]);
  });

  it('serves the good version of a model whose other version failed the check', async () => {
    expect((await get('/v2/models/mixed/versions/1/ready')).statusCode).toBe(200);
    expect((await get('/v2/models/mixed/versions/2/ready')).statusCode).toBe(503);
    const unversioned = await infer('/v2/models/mixed/infer');
    expect(unversioned.json().model_version).toBe('1');
  });
});

describe('repository problems are clear errors, not crashes', () => {
  it('reports an invalid config.json', async () => {
    const res = await get('/v2/models/badconfig');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/badconfig\/config\.json: invalid JSON/);
  });

  it('reports a pinned version that is missing on disk while serving the present one', async () => {
    expect((await get('/v2/models/pinned/versions/1/ready')).statusCode).toBe(200);
    const missing = await get('/v2/models/pinned/versions/3/ready');
    expect(missing.statusCode).toBe(503);
    expect(missing.json().error).toMatch(/pinned\/3\/model\.onnx is missing/);
  });
});

describe('unreadable models', () => {
  it('refuses a file ONNX Runtime cannot parse, naming the file', async () => {
    const res = await get('/v2/models/corrupt/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/model 'corrupt' version 1 is not ready: .*(protobuf|parse|load)/i);
    const line = service.logs.find((l) => l.model === 'corrupt' && l.level === 50);
    expect(line?.file).toMatch(/corrupt\/1\/model\.onnx$/);
  });

  it('starts without a repository: alive, not ready, and says why', async () => {
    const empty = await startService({ modelRepository: `${repo.root}/does-not-exist` });
    try {
      expect((await empty.app.inject({ method: 'GET', url: '/v2/health/live' })).statusCode).toBe(200);
      expect((await empty.app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(503);
      expect(empty.logs.some((l) => l.level === 50 && l.msg.includes('does-not-exist cannot be read'))).toBe(true);
    } finally {
      await empty.close();
    }
  });
});

describe('execution providers', () => {
  it('falls back to CPU with a warning when CUDA cannot load', async () => {
    expect((await get('/v2/models/gpu/ready')).statusCode).toBe(200);
    expect(service.app.modelRegistry.resolve('gpu').provider).toBe('cpu');
    expect(service.logs.some((l) => l.level === 40 && l.msg.includes('gpu:1: execution provider cuda:0 cannot load') && l.msg.includes('falling back to CPU'))).toBe(true);
    expect((await infer('/v2/models/gpu/infer')).statusCode).toBe(200);
  });

  it('refuses the model when the config says the GPU is required', async () => {
    const res = await get('/v2/models/gpu_required/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toContain('execution provider tensorrt:0 cannot load and gpuRequired is set');
  });
});

describe('strict readiness', () => {
  it('is not ready while any configured version is refused', async () => {
    const strict = await startService({ modelRepository: repo.root, strictReadiness: true });
    try {
      const res = await strict.app.inject({ method: 'GET', url: '/v2/health/ready' });
      expect(res.statusCode).toBe(503);
      expect((await strict.app.inject({ method: 'GET', url: '/v2/health/live' })).statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
