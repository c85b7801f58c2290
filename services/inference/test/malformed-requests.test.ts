import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTypesModel, fixedModel, pairModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';

let repo: FixtureRepository;
let service: TestService;
const bodyLimitBytes = 64 * 1024;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addVersion('pair', 1, pairModel(1));
  await repo.addVersion('all_types', 1, allTypesModel());
  await repo.addVersion('fixed', 1, fixedModel());
  service = await startService({ modelRepository: repo.root, bodyLimitBytes, maxTensorElements: 1_000_000 });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

const a = (over: object = {}) => ({ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3], ...over });
const b = (over: object = {}) => ({ name: 'b', datatype: 'FP32', shape: [1, 3], data: [4, 5, 6], ...over });
const typed = (datatype: string, data: unknown[]) => ({
  inputs: ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64'].map((d) => ({
    name: `x_${d}`,
    datatype: d,
    shape: [1, 3],
    data: d === datatype ? data : d === 'BOOL' ? [true, true, true] : [1, 1, 1],
  })),
});

interface Case {
  readonly name: string;
  readonly status: number;
  readonly error: string;
  readonly payload?: unknown;
  readonly raw?: string;
  readonly url?: string;
  readonly contentType?: string;
}

const cases: Case[] = [
  { name: 'body is not JSON', status: 400, error: 'not valid JSON', raw: '{"inputs": [' },
  { name: 'body is an array', status: 400, error: 'must be a JSON object', payload: [] },
  { name: 'no inputs', status: 400, error: '"inputs" must be a non-empty array', payload: {} },
  { name: 'empty inputs', status: 400, error: '"inputs" must be a non-empty array', payload: { inputs: [] } },
  { name: 'input is not an object', status: 400, error: 'inputs[0] must be an object', payload: { inputs: [42] } },
  { name: 'input without a name', status: 400, error: 'inputs[0]: "name" must be a string', payload: { inputs: [{ datatype: 'FP32' }] } },
  { name: 'unknown input', status: 400, error: "unknown input 'c'; the model takes a, b", payload: { inputs: [a(), b(), a({ name: 'c' })] } },
  { name: 'missing input', status: 400, error: "missing input 'b'", payload: { inputs: [a()] } },
  { name: 'duplicate input', status: 400, error: "input 'a' appears more than once", payload: { inputs: [a(), a(), b()] } },
  { name: 'duplicate output', status: 400, error: "output 'sum' is requested more than once", payload: { inputs: [a(), b()], outputs: [{ name: 'sum' }, { name: 'sum' }] } },
  { name: 'unknown datatype', status: 400, error: `input 'a': datatype "FLOAT32" is not one of BOOL`, payload: { inputs: [a({ datatype: 'FLOAT32' }), b()] } },
  { name: 'datatype mismatch', status: 400, error: "input 'b': datatype INT32 does not match the model's FP32", payload: { inputs: [a(), b({ datatype: 'INT32' })] } },
  { name: 'shape is not an array', status: 400, error: "input 'a': shape must be an array of integers", payload: { inputs: [a({ shape: '1x3' }), b()] } },
  { name: 'negative dimension', status: 400, error: "input 'a': shape [-1,3] has a negative dimension", payload: { inputs: [a({ shape: [-1, 3] }), b()] } },
  { name: 'fractional dimension', status: 400, error: "input 'a': shape [1.5,3] has a dimension that is not an integer", payload: { inputs: [a({ shape: [1.5, 3] }), b()] } },
  { name: 'absurd dimensions', status: 400, error: "input 'a': shape [1000000000,1000000000] has more than 1000000 elements", payload: { inputs: [a({ shape: [1e9, 1e9] }), b()] } },
  { name: 'wrong rank', status: 400, error: "input 'a': shape [3] has rank 1, the model expects rank 2", payload: { inputs: [a({ shape: [3] }), b()] } },
  { name: 'wrong fixed dimension', status: 400, error: "input 'b': dimension 1 is 4, the model expects 3", payload: { inputs: [a(), b({ shape: [1, 4], data: [1, 2, 3, 4] })] } },
  { name: 'shape vs data length', status: 400, error: "input 'a': shape [2,3] needs 6 values, data has 5", payload: { inputs: [a({ shape: [2, 3], data: [1, 2, 3, 4, 5] }), b()] } },
  { name: 'data is not an array', status: 400, error: "input 'a': data must be an array, got string", payload: { inputs: [a({ data: '1,2,3' }), b()] } },
  { name: 'missing data', status: 400, error: "input 'a': data must be an array, got undefined", payload: { inputs: [a({ data: undefined }), b()] } },
  { name: 'string in FP32 data', status: 400, error: `input 'a': element 1 the string "x" is not a number (datatype FP32)`, payload: { inputs: [a({ data: [1, 'x', 3] }), b()] } },
  { name: 'null in FP32 data', status: 400, error: "input 'b': element 2 null is not a number", payload: { inputs: [a(), b({ data: [1, 2, null] })] } },
  { name: 'UINT8 out of range', status: 400, error: "input 'x_UINT8': element 2 300 is outside the UINT8 range 0..255", url: '/v2/models/all_types/infer', payload: typed('UINT8', [1, 2, 300]) },
  { name: 'INT8 out of range', status: 400, error: 'is outside the INT8 range -128..127', url: '/v2/models/all_types/infer', payload: typed('INT8', [-129, 0, 0]) },
  { name: 'fraction in INT32', status: 400, error: "input 'x_INT32': element 0 1.5 is not an integer", url: '/v2/models/all_types/infer', payload: typed('INT32', [1.5, 0, 0]) },
  { name: 'negative UINT64', status: 400, error: "input 'x_UINT64': element 0 -1 is outside the UINT64 range", url: '/v2/models/all_types/infer', payload: typed('UINT64', [-1, 0, 0]) },
  { name: 'number in BOOL', status: 400, error: "input 'x_BOOL': element 0 1 is not a boolean", url: '/v2/models/all_types/infer', payload: typed('BOOL', [1, true, false]) },
  { name: 'ragged nested data', status: 400, error: "input 'a': nested data does not match shape [2,3]", payload: { inputs: [a({ shape: [2, 3], data: [[1, 2, 3], [4, 5]] }), b({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] })] } },
  { name: 'batch dimensions disagree', status: 400, error: "inputs disagree on the batch dimension: 'a' has 1, 'b' has 2", payload: { inputs: [a(), b({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] })] } },
  { name: 'zero batch', status: 400, error: "input 'a': the batch dimension (dimension 0) must be at least 1", payload: { inputs: [a({ shape: [0, 3], data: [] }), b({ shape: [0, 3], data: [] })] } },
  { name: 'batch above maxBatchSize', status: 400, error: "batch of 200 rows exceeds the model's maxBatchSize", payload: { inputs: [a({ shape: [200, 3], data: new Array(600).fill(0) }), b({ shape: [200, 3], data: new Array(600).fill(0) })] } },
  { name: 'unknown output', status: 400, error: "unknown output 'product'; the model produces sum, diff", payload: { inputs: [a(), b()], outputs: [{ name: 'product' }] } },
  { name: 'outputs is not an array', status: 400, error: '"outputs" must be an array', payload: { inputs: [a(), b()], outputs: 'sum' } },
  { name: 'id is not a string', status: 400, error: '"id" must be a string', payload: { id: 7, inputs: [a(), b()] } },
  { name: 'parameters is not an object', status: 400, error: 'request "parameters" must be an object', payload: { parameters: [1], inputs: [a(), b()] } },
  { name: 'binary_data_size without binary data', status: 400, error: "input 'a': parameters.binary_data_size is set but the request carries no binary data", payload: { inputs: [a({ parameters: { binary_data_size: 12 } }), b()] } },
  { name: 'fixed-shape model, wrong shape', status: 400, error: "input 'm': dimension 0 is 3, the model expects 2", url: '/v2/models/fixed/infer', payload: { inputs: [{ name: 'm', datatype: 'FP32', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }] } },
  { name: 'unknown model', status: 404, error: "unknown model 'nope'", url: '/v2/models/nope/infer', payload: { inputs: [a(), b()] } },
  { name: 'unknown version', status: 404, error: "model 'pair' has no version '9'", url: '/v2/models/pair/versions/9/infer', payload: { inputs: [a(), b()] } },
  { name: 'body too large', status: 413, error: `request body is larger than the limit of ${bodyLimitBytes} bytes`, payload: { inputs: [a({ shape: [1, 30000], data: new Array(30000).fill(1.25) }), b()] } },
  { name: 'not JSON content type', status: 415, error: 'content-type must be application/json', raw: 'inputs', contentType: 'text/plain' },
];

describe('malformed infer requests', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('$name → $status', async (c) => {
    const res = await service.app.inject({
      method: 'POST',
      url: c.url ?? '/v2/models/pair/infer',
      headers: { 'content-type': c.contentType ?? 'application/json' },
      payload: c.raw ?? JSON.stringify(c.payload),
    });
    expect(res.statusCode, res.body).toBe(c.status);
    expect(res.json().error).toContain(c.error);
  });

  it('answers an unexpected failure 500 without echoing its cause, and logs the cause', async () => {
    const failing = () => Promise.reject(new Error('ENOENT /opt/secret/weights.bin'));
    service.app.inferInterceptors.push(failing);
    try {
      const res = await service.app.inject({ method: 'POST', url: '/v2/models/pair/infer', payload: { inputs: [a(), b()] } });
      expect(res.statusCode).toBe(500);
      expect(res.json().error).toMatch(/^internal error \(request id .+\); the cause is in the service log$/);
      expect(res.body).not.toContain('/opt/secret');
      expect(service.logs.some((l) => JSON.stringify(l).includes('/opt/secret/weights.bin'))).toBe(true);
    } finally {
      service.app.inferInterceptors.splice(service.app.inferInterceptors.indexOf(failing), 1);
    }
  });

  it('stays ready and keeps answering valid requests afterwards', async () => {
    expect((await service.app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(200);
    const ok = await service.app.inject({ method: 'POST', url: '/v2/models/pair/infer', payload: { inputs: [a(), b()] } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().outputs[0].data).toEqual([5, 7, 9]);
  });
});
