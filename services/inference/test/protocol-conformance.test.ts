import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataTypes, type DataType } from '../src/protocol/datatypes.js';
import { allTypesModel, fixedModel, halfModel, pairModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addVersion('all_types', 1, allTypesModel());
  await repo.addVersion('half', 1, halfModel());
  await repo.addVersion('pair', 1, pairModel(1));
  await repo.addVersion('pair', 2, pairModel(10));
  await repo.writeConfig('pair', { versionPolicy: 'all' });
  await repo.addVersion('fixed', 1, fixedModel());
  service = await startService({ modelRepository: repo.root });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

const get = (url: string) => service.app.inject({ method: 'GET', url });
const infer = (url: string, payload: unknown) => service.app.inject({ method: 'POST', url, payload: payload as object });

/** Three sample values per datatype, including each type's extremes (64-bit ones within JSON's exact range). */
const samples: Readonly<Record<DataType, readonly (number | boolean)[]>> = {
  BOOL: [true, false, true],
  UINT8: [0, 7, 255],
  UINT16: [0, 300, 65535],
  UINT32: [0, 70000, 4294967295],
  UINT64: [0, 5, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 0, 127],
  INT16: [-32768, 1, 32767],
  INT32: [-2147483648, 2, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, 3, Number.MAX_SAFE_INTEGER],
  FP16: [0.5, -2, 65504],
  FP32: [1.5, -0.25, 3.4028234663852886e38],
  FP64: [Math.PI, -1e-300, 1.7976931348623157e308],
};

describe('health and server metadata', () => {
  it('answers live, ready and GET /v2', async () => {
    expect((await get('/v2/health/live')).json()).toEqual({ live: true });
    const ready = await get('/v2/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true });
    const meta = (await get('/v2')).json();
    expect(meta).toMatchObject({ name: 'vertical-inference', extensions: ['binary_tensor_data'] });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('model metadata and readiness', () => {
  it('reads inputs, outputs, dtypes and dynamic axes from the ONNX model when there is no config.json', async () => {
    const res = await get('/v2/models/half');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'half',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP16', shape: [-1, 4] }],
      outputs: [
        { name: 'doubled', datatype: 'FP16', shape: [-1, 4] },
        { name: 'widened', datatype: 'FP32', shape: [-1, 4] },
      ],
    });
  });

  it('serves versioned and unversioned metadata and readiness', async () => {
    expect((await get('/v2/models/pair')).json().versions).toEqual(['1', '2']);
    expect((await get('/v2/models/pair/versions/1')).statusCode).toBe(200);
    expect((await get('/v2/models/pair/ready')).json()).toEqual({ name: 'pair', version: '2', ready: true });
    expect((await get('/v2/models/pair/versions/1/ready')).json()).toEqual({ name: 'pair', version: '1', ready: true });
  });

  it('answers 404 with a message for unknown models and versions', async () => {
    const model = await get('/v2/models/nope');
    expect(model.statusCode).toBe(404);
    expect(model.json().error).toContain("unknown model 'nope'");
    for (const url of ['/v2/models/pair/versions/3', '/v2/models/pair/versions/abc/ready', '/v2/models/pair/versions/0']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error).toContain('has no version');
    }
    const route = await get('/v2/elsewhere');
    expect(route.statusCode).toBe(404);
    expect(route.json().error).toContain('no route GET /v2/elsewhere');
  });
});

describe('infer', () => {
  it('round-trips every datatype through an Identity model and echoes the id', async () => {
    const inputs = dataTypes.map((d) => ({ name: `x_${d}`, datatype: d, shape: [1, 3], data: samples[d] }));
    const res = await infer('/v2/models/all_types/infer', { id: 'every-type', inputs });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.id).toBe('every-type');
    expect(body.model_name).toBe('all_types');
    expect(body.model_version).toBe('1');
    for (const d of dataTypes) {
      const output = body.outputs.find((o: { name: string }) => o.name === `y_${d}`);
      expect(output, d).toEqual({ name: `y_${d}`, datatype: d, shape: [1, 3], data: samples[d] });
    }
  });

  it('accepts nested row-major data like flat data', async () => {
    const inputs = dataTypes.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 3], data: [samples[d], samples[d]] }));
    const res = await infer('/v2/models/all_types/infer', { inputs, outputs: [{ name: 'y_INT16' }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().outputs).toEqual([{ name: 'y_INT16', datatype: 'INT16', shape: [2, 3], data: [...samples.INT16, ...samples.INT16] }]);
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const payload = {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] },
        { name: 'b', datatype: 'FP32', shape: [1, 3], data: [0.5, 0.5, 0.5] },
      ],
      outputs: [{ name: 'diff' }],
    };
    const res = await infer('/v2/models/pair/versions/1/infer', payload);
    expect(res.json().outputs).toEqual([{ name: 'diff', datatype: 'FP32', shape: [1, 3], data: [0.5, 1.5, 2.5] }]);
    const both = await infer('/v2/models/pair/versions/1/infer', { ...payload, outputs: [{ name: 'diff' }, { name: 'sum' }] });
    expect(both.json().outputs.map((o: { name: string }) => o.name)).toEqual(['diff', 'sum']);
  });

  it('routes versioned paths to that version and unversioned paths to the latest', async () => {
    const payload = {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] },
        { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] },
      ],
      outputs: [{ name: 'sum' }],
    };
    const v1 = (await infer('/v2/models/pair/versions/1/infer', payload)).json();
    const v2 = (await infer('/v2/models/pair/versions/2/infer', payload)).json();
    const latest = (await infer('/v2/models/pair/infer', payload)).json();
    expect(v1.outputs[0].data).toEqual([2, 3, 4]);
    expect(v1.model_version).toBe('1');
    expect(v2.outputs[0].data).toEqual([20, 30, 40]);
    expect(latest.model_version).toBe('2');
    expect(latest.outputs[0].data).toEqual([20, 30, 40]);
  });

  it('runs fp16 models: values rounded to half precision on the way in', async () => {
    const res = await infer('/v2/models/half/infer', { inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 4], data: [1, 0.1, -3.5, 1000] }] });
    expect(res.statusCode, res.body).toBe(200);
    const [doubled, widened] = res.json().outputs;
    // 0.1 is not representable in fp16; the nearest half is 0.0999755859375.
    expect(widened).toEqual({ name: 'widened', datatype: 'FP32', shape: [1, 4], data: [1, 0.0999755859375, -3.5, 1000] });
    expect(doubled).toEqual({ name: 'doubled', datatype: 'FP16', shape: [1, 4], data: [2, 0.199951171875, -7, 2000] });
  });

  it('serves models with a fixed first dimension without batching', async () => {
    const res = await infer('/v2/models/fixed/infer', { inputs: [{ name: 'm', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4]] }] });
    expect(res.json().outputs[0]).toEqual({ name: 't', datatype: 'FP32', shape: [2, 2], data: [1, 3, 2, 4] });
    expect(service.app.modelRegistry.resolve('fixed').batcher?.settings.maxBatchSize).toBe(0);
  });

  it('sizes maxBatchSize for batchable models within the SLO batch range', () => {
    const size = service.app.modelRegistry.resolve('pair').batcher?.settings.maxBatchSize ?? 0;
    expect(size).toBeGreaterThanOrEqual(16);
    expect(size).toBeLessThanOrEqual(128);
  });
});
