/**
 * The gRPC API (inference.GRPCInferenceService) against the real service over a real socket, with a real grpc-js
 * client: every RPC; ModelInfer answers exactly what REST answers for the same input, in typed contents and in raw
 * contents, for every datatype; errors carry the REST message under the mapped status code; cache, metrics and
 * audit records are the REST pipeline's.
 */
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { status as Status, type Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../scripts/onnx/graph-builder.js';
import type { DataType } from '../src/protocol/datatypes.js';
import { fromHalfBits, toHalfBits } from '../src/protocol/float16.js';
import { allTypesModel, onnxTypeOf } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { grpcClient, type TestGrpcClient } from './production-support/grpc-client.js';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';

/** Identity per datatype except FP16 (which has no typed contents field): x_<T> [batch, 3] → y_<T>. */
function typedModel(): Uint8Array {
  const g = new GraphBuilder('typed');
  for (const [protocol, onnx] of Object.entries(onnxTypeOf)) {
    if (protocol === 'FP16') continue;
    g.input(`x_${protocol}`, onnx, ['batch', 3]);
    g.node('Identity', [`x_${protocol}`], {}, [`y_${protocol}`]);
    g.output(`y_${protocol}`, onnx, ['batch', 3]);
  }
  return g.toBytes();
}

/** Six values per datatype ([2, 3]) that exercise its range: negatives, extremes, fractions. */
const samples: Readonly<Record<DataType, Array<number | boolean>>> = {
  BOOL: [true, false, true, true, false, false],
  UINT8: [0, 1, 127, 128, 254, 255],
  UINT16: [0, 1, 255, 256, 65534, 65535],
  UINT32: [0, 1, 65536, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1],
  UINT64: [0, 1, 2 ** 32, 2 ** 40 + 7, 2 ** 52, Number.MAX_SAFE_INTEGER],
  INT8: [-128, -1, 0, 1, 100, 127],
  INT16: [-32768, -1, 0, 1, 1000, 32767],
  INT32: [-(2 ** 31), -1, 0, 1, 123456789, 2 ** 31 - 1],
  INT64: [Number.MIN_SAFE_INTEGER, -(2 ** 40), -1, 0, 2 ** 33 + 5, Number.MAX_SAFE_INTEGER],
  FP16: [-2, -0.5, 0, 0.333251953125, 1.5, 65504],
  FP32: [-1.5, -0, 0, Math.fround(0.1), Math.fround(3.4e38), Math.fround(1e-30)],
  FP64: [-1.5, 0, 0.1, Math.PI, 1.7976931348623157e308, 5e-324],
};

const typedField: Partial<Record<DataType, string>> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents',
};

/** Little-endian bytes of six values, written by hand per datatype (independently of src/grpc/raw-tensor.ts). */
function rawBytes(datatype: DataType, values: ReadonlyArray<number | boolean>): Buffer {
  const size = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 }[datatype];
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => {
    const n = Number(v);
    const o = i * size;
    if (datatype === 'BOOL' || datatype === 'UINT8') view.setUint8(o, n);
    else if (datatype === 'INT8') view.setInt8(o, n);
    else if (datatype === 'UINT16') view.setUint16(o, n, true);
    else if (datatype === 'INT16') view.setInt16(o, n, true);
    else if (datatype === 'FP16') view.setUint16(o, toHalfBits(n), true);
    else if (datatype === 'UINT32') view.setUint32(o, n, true);
    else if (datatype === 'INT32') view.setInt32(o, n, true);
    else if (datatype === 'FP32') view.setFloat32(o, n, true);
    else if (datatype === 'UINT64') view.setBigUint64(o, BigInt(n), true);
    else if (datatype === 'INT64') view.setBigInt64(o, BigInt(n), true);
    else view.setFloat64(o, n, true);
  });
  return Buffer.from(view.buffer);
}

function fromRaw(datatype: string, bytes: Buffer): Array<number | boolean> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: Array<number | boolean> = [];
  const read: Record<string, [number, (o: number) => number | boolean]> = {
    BOOL: [1, (o) => view.getUint8(o) !== 0], UINT8: [1, (o) => view.getUint8(o)], INT8: [1, (o) => view.getInt8(o)],
    UINT16: [2, (o) => view.getUint16(o, true)], INT16: [2, (o) => view.getInt16(o, true)], FP16: [2, (o) => fromHalfBits(view.getUint16(o, true))],
    UINT32: [4, (o) => view.getUint32(o, true)], INT32: [4, (o) => view.getInt32(o, true)], FP32: [4, (o) => view.getFloat32(o, true)],
    UINT64: [8, (o) => Number(view.getBigUint64(o, true))], INT64: [8, (o) => Number(view.getBigInt64(o, true))], FP64: [8, (o) => view.getFloat64(o, true)],
  };
  const [size, get] = read[datatype]!;
  for (let o = 0; o < bytes.length; o += size) out.push(get(o));
  return out;
}

interface GrpcOutput {
  name: string;
  datatype: string;
  shape: string[];
  contents?: Record<string, unknown[]> | null;
}

/** A ModelInferResponse in the REST response's shape, to compare the two. */
function asRest(message: Record<string, unknown>) {
  const outputs = message.outputs as GrpcOutput[];
  const raw = message.raw_output_contents as Buffer[];
  return {
    model_name: message.model_name,
    model_version: message.model_version,
    ...(message.id !== '' && { id: message.id }),
    outputs: outputs.map((o, i) => ({
      name: o.name,
      datatype: o.datatype,
      shape: o.shape.map(Number),
      data: raw.length > 0 ? fromRaw(o.datatype, raw[i]!) : (o.contents![typedField[o.datatype as DataType]!]!).map((v) => (typeof v === 'string' ? Number(v) : v)),
    })),
  };
}

const lines: Array<Record<string, unknown>> = [];
let repo: FixtureRepository;
let service: RealService;
let client: TestGrpcClient;
let grpcPort = 0;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addDemo();
  await repo.addVersion('typed', 1, typedModel());
  await repo.addVersion('all_types', 1, allTypesModel());
  await repo.addVersion('broken', 1, new TextEncoder().encode('not an onnx model'));
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  service = await realService({ AUTH_MODE: 'none' }, stream, { grpcEnabled: true, grpcPort: 0, modelRepository: repo.root });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  grpcPort = await service.app.grpc!.listen();
  client = grpcClient(`127.0.0.1:${grpcPort}`);
}, 60_000);

afterAll(async () => {
  client?.close();
  await service?.app.close();
  await repo?.remove();
});

const rest = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const res = await service.app.inject({ method, url, ...(payload !== undefined && { payload: payload as object }) });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
};

describe('health and metadata RPCs', () => {
  it('ServerLive and ServerReady answer true', async () => {
    expect((await client.call('ServerLive', {})).message).toEqual({ live: true });
    expect((await client.call('ServerReady', {})).message).toEqual({ ready: true });
  });

  it('ServerMetadata is GET /v2 without the HTTP-only binary tensor data extension', async () => {
    const { body } = await rest('GET', '/v2');
    expect((body as { extensions: string[] }).extensions).toContain('binary_tensor_data');
    expect((await client.call('ServerMetadata', {})).message).toEqual({ ...(body as object), extensions: [] });
  });

  it('ModelMetadata is GET /v2/models/{name}[/versions/{v}], shapes as int64', async () => {
    const { body } = await rest('GET', '/v2/models/typed');
    const { message } = await client.call<Record<string, unknown>>('ModelMetadata', { name: 'typed' });
    const numeric = (list: unknown) => (list as Array<{ shape: string[] }>).map((t) => ({ ...t, shape: t.shape.map(Number) }));
    expect({ ...message, inputs: numeric(message.inputs), outputs: numeric(message.outputs) }).toEqual(body);
    expect((await client.call<{ name: string }>('ModelMetadata', { name: 'typed', version: '1' })).message.name).toBe('typed');
  });

  it('ModelReady is true for a served model and false for one that failed to load', async () => {
    expect((await client.call('ModelReady', { name: 'demo' })).message).toEqual({ ready: true });
    expect((await client.call('ModelReady', { name: 'demo', version: '1' })).message).toEqual({ ready: true });
    expect((await client.call('ModelReady', { name: 'broken' })).message).toEqual({ ready: false });
  });
});

describe('ModelInfer equals the REST answer', () => {
  const datatypes = Object.keys(samples) as DataType[];

  it('with typed contents, for every datatype that has a typed field', async () => {
    const typed = datatypes.filter((d) => d !== 'FP16');
    const restBody = {
      id: 'typed-1',
      inputs: typed.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 3], data: samples[d] })),
    };
    const expected = await rest('POST', '/v2/models/typed/infer', restBody);
    expect(expected.status).toBe(200);
    const { message } = await client.call<Record<string, unknown>>('ModelInfer', {
      model_name: 'typed',
      id: 'typed-1',
      inputs: typed.map((d) => ({
        name: `x_${d}`,
        datatype: d,
        shape: [2, 3],
        // 64-bit integers as decimal strings, the way a proto int64 carries them exactly.
        contents: { [typedField[d]!]: d === 'INT64' || d === 'UINT64' ? samples[d].map(String) : samples[d] },
      })),
    });
    expect(message.raw_output_contents).toEqual([]);
    expect(asRest(message)).toEqual(expected.body);
  });

  it('with raw_input_contents, for every datatype including FP16, answering in raw_output_contents', async () => {
    const restBody = { inputs: datatypes.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 3], data: samples[d] })), outputs: [{ name: 'y_FP16' }, { name: 'y_INT64' }, { name: 'y_BOOL' }, { name: 'y_FP64' }] };
    const expected = await rest('POST', '/v2/models/all_types/infer', restBody);
    expect(expected.status).toBe(200);
    const { message } = await client.call<Record<string, unknown>>('ModelInfer', {
      model_name: 'all_types',
      model_version: '1',
      inputs: datatypes.map((d) => ({ name: `x_${d}`, datatype: d, shape: [2, 3] })),
      outputs: [{ name: 'y_FP16' }, { name: 'y_INT64' }, { name: 'y_BOOL' }, { name: 'y_FP64' }],
      raw_input_contents: datatypes.map((d) => rawBytes(d, samples[d])),
    });
    expect((message.outputs as GrpcOutput[]).every((o) => o.contents === null)).toBe(true);
    expect(asRest(message)).toEqual(expected.body);
    // The bytes themselves, not only their decoding: exactly what was sent, for an identity model.
    expect((message.raw_output_contents as Buffer[])[1]).toEqual(rawBytes('INT64', samples.INT64));
  });

  it("ignores the HTTP binary extension's binary_data_output / binary_data parameters (raw contents do that job)", async () => {
    const body = demoInfer(11, { parameters: { cache: false } });
    const expected = await rest('POST', '/v2/models/demo/infer', body);
    const [ids, mask] = body.inputs;
    const { message } = await client.call<Record<string, unknown>>('ModelInfer', {
      model_name: 'demo',
      parameters: { cache: { bool_param: false }, binary_data_output: { bool_param: true } },
      inputs: [ids!, mask!].map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, contents: { int64_contents: t.data } })),
      outputs: [{ name: 'probabilities', parameters: { binary_data: { bool_param: true } } }],
    });
    expect(asRest(message)).toEqual(expected.body);
  });

  it('for the demo model, request parameters included', async () => {
    const body = demoInfer(7, { parameters: { cache: false } });
    const expected = await rest('POST', '/v2/models/demo/infer', body);
    const [ids, mask] = body.inputs;
    const { message, metadata } = await client.call<Record<string, unknown>>('ModelInfer', {
      model_name: 'demo',
      parameters: { cache: { bool_param: false } },
      inputs: [ids!, mask!].map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, contents: { int64_contents: t.data } })),
      outputs: [{ name: 'probabilities' }],
    });
    expect(asRest(message)).toEqual(expected.body);
    expect(metadata.get('x-inference-cache')).toEqual(['bypass']);
    expect(String(metadata.get('x-request-id')[0])).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('shared pipeline', () => {
  it('shares the result cache with REST: the same input is a hit whichever transport computed it', async () => {
    const body = demoInfer(4242);
    const [ids, mask] = body.inputs;
    const grpcRequest = {
      model_name: 'demo',
      inputs: [ids!, mask!].map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, contents: { int64_contents: t.data } })),
      outputs: [{ name: 'probabilities' }],
    };
    const cacheOf = (m: Metadata) => m.get('x-inference-cache')[0];
    expect(cacheOf((await client.call('ModelInfer', grpcRequest)).metadata)).toBe('miss');
    expect(cacheOf((await client.call('ModelInfer', grpcRequest)).metadata)).toBe('hit');
    const res = await service.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: body });
    expect(res.headers['x-inference-cache']).toBe('hit');
  });

  it('counts calls by RPC and code, and ModelInfer also under inference_requests_total', async () => {
    await client.fail('ModelInfer', { model_name: 'nope', inputs: [] });
    const text = await service.production.metrics.registry.metrics();
    expect(text).toMatch(/inference_grpc_requests_total\{method="ModelInfer",code="OK"\} [1-9]/);
    expect(text).toMatch(/inference_grpc_requests_total\{method="ModelInfer",code="NOT_FOUND"\} [1-9]/);
    expect(text).toMatch(/inference_grpc_requests_total\{method="ServerLive",code="OK"\} [1-9]/);
    expect(text).toMatch(/inference_requests_total\{model="unknown",version="unknown",status="404"\} [1-9]/);
    // Every injected call ended: the in-flight gauge is back to 0 (nothing leaks per gRPC call).
    expect(text).toMatch(/^inference_inflight_requests 0$/m);
  });

  it('writes the audit record with the gRPC path, protocol and code', async () => {
    await client.call('ModelInfer', { model_name: 'demo', inputs: demoInfer(99).inputs.map((t) => ({ ...t, contents: { int64_contents: t.data } })) }, { 'x-request-id': 'grpc-trace-1' });
    await new Promise((r) => setTimeout(r, 50));
    const audit = lines.find((l) => l['http.request.id'] === 'grpc-trace-1');
    expect(audit).toMatchObject({
      labels: { audit: 'true' },
      url: { path: '/inference.GRPCInferenceService/ModelInfer' },
      network: { protocol: 'grpc' },
      inference: { model: 'demo', version: '1', status: 200, grpc_code: 'OK' },
    });
  });

  it('does not let an HTTP client use the gRPC body type', async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/v2/models/demo/infer',
      headers: { 'content-type': 'application/x-inference-grpc', 'x-inference-grpc-call': '00000000-0000-4000-8000-000000000000' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: 'content-type must be application/json' });
  });
});

describe('errors: the REST message under the mapped status code', () => {
  it('NOT_FOUND for an unknown model or version, in every RPC that names one', async () => {
    const expected = await rest('POST', '/v2/models/nope/infer', demoInfer(1));
    expect(expected.status).toBe(404);
    const infer = await client.fail('ModelInfer', { model_name: 'nope', inputs: [] });
    expect([infer.code, infer.details]).toEqual([Status.NOT_FOUND, expected.body.error]);
    const version = await client.fail('ModelMetadata', { name: 'demo', version: '9' });
    expect([version.code, version.details]).toEqual([Status.NOT_FOUND, (await rest('GET', '/v2/models/demo/versions/9')).body.error]);
    expect((await client.fail('ModelReady', { name: 'nope' })).code).toBe(Status.NOT_FOUND);
  });

  it('INVALID_ARGUMENT with the REST message for a shape the model does not take', async () => {
    const body = { inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] }] };
    const expected = await rest('POST', '/v2/models/typed/infer', body);
    expect(expected.status).toBe(400);
    const error = await client.fail('ModelInfer', { model_name: 'typed', inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: [1, 2, 3, 4, 5, 6, 7, 8] } }] });
    expect([error.code, error.details]).toEqual([Status.INVALID_ARGUMENT, expected.body.error]);
  });

  it('INVALID_ARGUMENT naming the input for what only gRPC can get wrong', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ model_name: 'typed', inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [2, 3] }], raw_input_contents: [Buffer.alloc(20)] },
        /^input 'x_FP32': raw contents hold 20 bytes; shape \[2,3\] of FP32 needs 24 \(6 × 4\)$/],
      [{ model_name: 'typed', inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [2, 3] }, { name: 'x_FP64', datatype: 'FP64', shape: [1, 3] }], raw_input_contents: [Buffer.alloc(24)] },
        /^raw_input_contents has 1 entries for 2 inputs/],
      [{ model_name: 'typed', inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [1, 3], contents: { int_contents: [1, 2, 3] } }] },
        /^input 'x_FP32': FP32 data goes in contents.fp32_contents, not contents.int_contents$/],
      [{ model_name: 'all_types', inputs: [{ name: 'x_FP16', datatype: 'FP16', shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } }] },
        /^input 'x_FP16': FP16 has no typed contents field; send it in raw_input_contents$/],
      [{ model_name: 'typed', inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } }], raw_input_contents: [Buffer.alloc(12)] },
        /^input 'x_FP32': contents and raw_input_contents are both set/],
      [{ model_name: 'typed', inputs: [{ name: 'x_FP32', datatype: 'FP32', shape: [1, -3] }], raw_input_contents: [Buffer.alloc(12)] },
        /^input 'x_FP32': shape \[1,-3\] has a negative dimension$/],
      [{ model_name: 'typed', inputs: [{ name: 'x_INT64', datatype: 'INT64', shape: [1, 1], contents: { int64_contents: ['9007199254740993'] } }] },
        /^input 'x_INT64': element 0 9007199254740993 is beyond ±\(2\^53 − 1\)/],
      [{ model_name: 'typed', parameters: { p: {} }, inputs: [] }, /^request parameter 'p' has no bool_param, int64_param or string_param value$/],
      [{ inputs: [] }, /^model_name is required$/],
    ];
    for (const [request, message] of cases) {
      const error = await client.fail('ModelInfer', request);
      expect(error.code, JSON.stringify(request).slice(0, 120)).toBe(Status.INVALID_ARGUMENT);
      expect(error.details).toMatch(message);
    }
  });

  it('UNAVAILABLE with the REST message for a model version that did not load', async () => {
    const expected = await rest('POST', '/v2/models/broken/infer', { inputs: [] });
    expect(expected.status).toBe(503);
    const error = await client.fail('ModelInfer', { model_name: 'broken', inputs: [] });
    expect([error.code, error.details]).toEqual([Status.UNAVAILABLE, expected.body.error]);
    expect((await client.fail('ModelMetadata', { name: 'broken' })).code).toBe(Status.UNAVAILABLE);
  });
});

describe('the example client (docs/service.md)', () => {
  it('prints readiness, metadata and the same probabilities for typed and raw contents', async () => {
    const script = fileURLToPath(new URL('../scripts/grpc-example.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, GRPC_ADDRESS: `127.0.0.1:${grpcPort}` } });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('ServerReady   {"ready":true}');
    expect(lines[1]).toBe('ModelMetadata inputs input_ids, attention_mask');
    const typed = /typed: probabilities = (\[.*\])$/.exec(lines[2] ?? '')?.[1];
    expect(typed).toMatch(/^\[0\.\d{4}, 0\.\d{4}, 0\.\d{4}, 0\.\d{4}\]$/);
    expect(lines[3]).toBe(`ModelInfer    raw:   probabilities = ${typed}`);
  }, 60_000);
});
