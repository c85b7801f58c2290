/**
 * The binary tensor data extension (Triton's binary_tensor_data, KServe's Binary Tensor Data Extension), with
 * requests built byte for byte from the spec: a JSON header of Inference-Header-Content-Length bytes, then each
 * binary input's little-endian row-major bytes in input order. The bytes are written here with Buffer's explicit
 * little-endian writers, not with the service's own encoder, and every answer is compared with the JSON path's.
 */
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachBinaryInputs, headerLength } from '../src/protocol/binary-body.js';
import { decodeBytesElements, decodeRawTensor, encodeBytesElements } from '../src/protocol/binary-tensor.js';
import type { DataType } from '../src/protocol/datatypes.js';
import { InferenceError } from '../src/protocol/errors.js';
import { parseInferRequest } from '../src/protocol/parse-infer-request.js';
import { allTypesModel, halfModel, pairModel } from './helpers/fixture-models.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService, type TestService } from './helpers/start-service.js';
import { demoInfer, realService, type RealService } from './production-support/real-service.js';

/** Three values per datatype, each type's extremes included; FP16 as the values JSON can name exactly. */
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

/** IEEE half bits of the FP16 samples, written out by hand: 0.5 = 0x3800, -2 = 0xc000, 65504 = 0x7bff. */
const halfBits: Readonly<Record<number, number>> = { 0.5: 0x3800, [-2]: 0xc000, 65504: 0x7bff, 1: 0x3c00, 1.5: 0x3e00, [-3]: 0xc200, 0: 0 };

/** The spec's binary form of `values`: little-endian, row-major, no padding; BOOL one byte 0/1. */
function leBytes(datatype: DataType, values: readonly (number | boolean)[]): Buffer {
  const width = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 }[datatype];
  const out = Buffer.alloc(values.length * width);
  values.forEach((v, i) => {
    const at = i * width;
    const n = Number(v);
    switch (datatype) {
      case 'BOOL': out.writeUInt8(v ? 1 : 0, at); break;
      case 'UINT8': out.writeUInt8(n, at); break;
      case 'INT8': out.writeInt8(n, at); break;
      case 'UINT16': out.writeUInt16LE(n, at); break;
      case 'INT16': out.writeInt16LE(n, at); break;
      case 'FP16': out.writeUInt16LE(halfBits[n] as number, at); break;
      case 'UINT32': out.writeUInt32LE(n, at); break;
      case 'INT32': out.writeInt32LE(n, at); break;
      case 'FP32': out.writeFloatLE(n, at); break;
      case 'UINT64': out.writeBigUInt64LE(BigInt(n), at); break;
      case 'INT64': out.writeBigInt64LE(BigInt(n), at); break;
      case 'FP64': out.writeDoubleLE(n, at); break;
    }
  });
  return out;
}

/** Reads the spec's binary form back (the test's own reader, independent of the service). */
function readLe(datatype: DataType, bytes: Buffer): Array<number | boolean> {
  const width = leBytes(datatype, [0]).length;
  return Array.from({ length: bytes.length / width }, (_, i) => {
    const at = i * width;
    switch (datatype) {
      case 'BOOL': return bytes.readUInt8(at) === 1;
      case 'UINT8': return bytes.readUInt8(at);
      case 'INT8': return bytes.readInt8(at);
      case 'UINT16': return bytes.readUInt16LE(at);
      case 'INT16': return bytes.readInt16LE(at);
      case 'FP16': return Number(Object.entries(halfBits).find(([, bits]) => bits === bytes.readUInt16LE(at))?.[0] ?? Number.NaN);
      case 'UINT32': return bytes.readUInt32LE(at);
      case 'INT32': return bytes.readInt32LE(at);
      case 'FP32': return bytes.readFloatLE(at);
      case 'UINT64': return Number(bytes.readBigUInt64LE(at));
      case 'INT64': return Number(bytes.readBigInt64LE(at));
      case 'FP64': return bytes.readDoubleLE(at);
    }
  });
}

/** A binary request: the JSON header, then the tail; the header length goes in Inference-Header-Content-Length. */
function binaryRequest(header: unknown, ...tail: Buffer[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...tail]), headerLength: json.length };
}

/** Splits a binary answer into its JSON header and the per-output byte slices, by binary_data_size in order. */
function splitAnswer(body: Buffer, length: number) {
  const header = JSON.parse(body.subarray(0, length).toString('utf8')) as {
    id?: string;
    outputs: Array<{ name: string; datatype: DataType; shape: number[]; data?: unknown[]; parameters?: { binary_data_size?: number } }>;
  };
  let at = length;
  const bytes = new Map<string, Buffer>();
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    bytes.set(o.name, body.subarray(at, at + size));
    at += size;
  }
  expect(at).toBe(body.length);
  return { header, bytes };
}

let repo: FixtureRepository;
let service: TestService;

beforeAll(async () => {
  repo = await FixtureRepository.create();
  await repo.addVersion('all_types', 1, allTypesModel());
  await repo.addVersion('half', 1, halfModel());
  await repo.addVersion('pair', 1, pairModel(1));
  service = await startService({ modelRepository: repo.root, bodyLimitBytes: 4096 });
});

afterAll(async () => {
  await service?.close();
  await repo?.remove();
});

const post = (url: string, body: Buffer, headers: Record<string, string>) =>
  service.app.inject({ method: 'POST', url, payload: body, headers });

const postBinary = (url: string, req: { body: Buffer; headerLength: number }, contentType = 'application/octet-stream') =>
  post(url, req.body, { 'content-type': contentType, 'inference-header-content-length': String(req.headerLength) });

describe('GET /v2', () => {
  it('declares the binary tensor data extension', async () => {
    expect((await service.app.inject({ method: 'GET', url: '/v2' })).json()).toMatchObject({ extensions: ['binary_tensor_data'] });
  });
});

describe('binary inputs and outputs for every datatype', () => {
  for (const datatype of Object.keys(samples) as DataType[]) {
    it(`${datatype}: binary in, binary out equals the JSON path`, async () => {
      const values = samples[datatype];
      // The model takes every datatype at once: the others go as JSON (mixed inputs), this one in binary.
      const others = (Object.keys(samples) as DataType[]).filter((d) => d !== datatype).map((d) => ({ name: `x_${d}`, datatype: d, shape: [1, 3], data: samples[d] }));
      const json = await service.app.inject({
        method: 'POST',
        url: '/v2/models/all_types/infer',
        payload: { inputs: [{ name: `x_${datatype}`, datatype, shape: [1, 3], data: values }, ...others], outputs: [{ name: `y_${datatype}` }] },
      });
      expect(json.statusCode).toBe(200);
      const jsonOutput = json.json().outputs[0];

      const bytes = leBytes(datatype, values);
      const req = binaryRequest(
        {
          id: 'b1',
          inputs: [...others.slice(0, 5), { name: `x_${datatype}`, datatype, shape: [1, 3], parameters: { binary_data_size: bytes.length } }, ...others.slice(5)],
          outputs: [{ name: `y_${datatype}`, parameters: { binary_data: true } }],
        },
        bytes,
      );
      const res = await postBinary('/v2/models/all_types/infer', req);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      const length = Number(res.headers['inference-header-content-length']);
      const { header, bytes: out } = splitAnswer(res.rawPayload, length);
      expect(header).toMatchObject({ model_name: 'all_types', model_version: '1', id: 'b1' });
      expect(header.outputs[0]).toEqual({ name: `y_${datatype}`, datatype, shape: [1, 3], parameters: { binary_data_size: bytes.length } });
      // The identity model echoes the bytes; read back independently they are the JSON path's values.
      expect(out.get(`y_${datatype}`)?.equals(bytes)).toBe(true);
      expect(readLe(datatype, out.get(`y_${datatype}`) as Buffer)).toEqual(jsonOutput.data);
    });
  }

  it('binary inputs with JSON outputs answer plain JSON, identical to the JSON request', async () => {
    const a = [1, 2, 3];
    const b = [0.5, 0.25, -1];
    const jsonBody = { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], data: a }, { name: 'b', datatype: 'FP32', shape: [1, 3], data: b }] };
    const json = await service.app.inject({ method: 'POST', url: '/v2/models/pair/infer', payload: jsonBody });
    const req = binaryRequest(
      { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } }, { name: 'b', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } }] },
      leBytes('FP32', a),
      leBytes('FP32', b),
    );
    const res = await postBinary('/v2/models/pair/infer', req);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['inference-header-content-length']).toBeUndefined();
    expect(res.body).toBe(json.body);
  });

  it('mixes JSON and binary inputs, and per-output binary_data overrides binary_data_output', async () => {
    const a = [1, 2, 3];
    const b = [10, 20, 30];
    const req = binaryRequest(
      {
        parameters: { binary_data_output: true },
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [1, 3], data: a },
          { name: 'b', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } },
        ],
        outputs: [{ name: 'sum' }, { name: 'diff', parameters: { binary_data: false } }],
      },
      leBytes('FP32', b),
    );
    // Triton's own client sends application/json or no content type at all; the header is what counts.
    for (const contentType of ['application/octet-stream', 'application/json']) {
      const res = await postBinary('/v2/models/pair/infer', req, contentType);
      expect(res.statusCode, res.body).toBe(200);
      const { header, bytes } = splitAnswer(res.rawPayload, Number(res.headers['inference-header-content-length']));
      expect(header.outputs.map((o) => o.name)).toEqual(['sum', 'diff']);
      expect(readLe('FP32', bytes.get('sum') as Buffer)).toEqual([11, 22, 33]);
      expect(header.outputs[1]).toEqual({ name: 'diff', datatype: 'FP32', shape: [1, 3], data: [-9, -18, -27] });
    }
  });

  it('FP16 travels as raw half bits both ways', async () => {
    const x = leBytes('FP16', [1, 1.5, -3, 0]);
    const req = binaryRequest({ inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 4], parameters: { binary_data_size: 8 } }], parameters: { binary_data_output: true } }, x);
    const res = await postBinary('/v2/models/half/infer', req);
    const { bytes } = splitAnswer(res.rawPayload, Number(res.headers['inference-header-content-length']));
    // 2 = 0x4000, 3 = 0x4200, -6 = 0xc600, 0 = 0x0000, each little-endian.
    expect([...(bytes.get('doubled') as Buffer)]).toEqual([0x00, 0x40, 0x00, 0x42, 0x00, 0xc6, 0x00, 0x00]);
    expect(readLe('FP32', bytes.get('widened') as Buffer)).toEqual([1, 1.5, -3, 0]);
  });

  it('a JSON body without the header still parses as before', async () => {
    const res = await post('/v2/models/pair/infer', Buffer.from(JSON.stringify({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] }, { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] }] })), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
  });
});

describe('bad binary requests get a 400 naming the problem', () => {
  const fp32 = (name: string, size: unknown, shape = [1, 3]) => ({ name, datatype: 'FP32', shape, parameters: { binary_data_size: size } });
  const both = (a: unknown, b: unknown) => ({ inputs: [a, b] });
  const cases: Array<{ what: string; header: unknown; tail: Buffer; headerLength?: string; status?: number; error: RegExp }> = [
    { what: 'size disagrees with shape × dtype', header: both(fp32('a', 8), fp32('b', 12)), tail: Buffer.alloc(20), error: /input 'a': shape \[1,3\] of FP32 needs 12 bytes \(3 × 4\), the binary data has 8/ },
    { what: 'negative size', header: both(fp32('a', -12), fp32('b', 12)), tail: Buffer.alloc(24), error: /input 'a': parameters.binary_data_size must be a non-negative integer number of bytes, got -12/ },
    { what: 'non-integer size', header: both(fp32('a', 12.5), fp32('b', 12)), tail: Buffer.alloc(24), error: /input 'a': .*got 12.5/ },
    { what: 'string size', header: both(fp32('a', '12'), fp32('b', 12)), tail: Buffer.alloc(24), error: /input 'a': .*got "12"/ },
    { what: 'tail shorter than declared', header: both(fp32('a', 12), fp32('b', 12)), tail: Buffer.alloc(20), error: /input 'b': binary_data_size 12 runs past the end of the binary data \(20 bytes after the JSON header, 12 taken by earlier inputs\)/ },
    { what: 'tail longer than declared', header: both(fp32('a', 12), fp32('b', 12)), tail: Buffer.alloc(28), error: /28 bytes of binary data after the JSON header, the inputs' binary_data_size add up to 24/ },
    { what: 'data and binary_data_size both', header: both({ ...fp32('a', 12), data: [1, 2, 3] }, fp32('b', 12)), tail: Buffer.alloc(24), error: /input 'a': has both "data" and parameters.binary_data_size/ },
    { what: 'header length past the body', header: both(fp32('a', 12), fp32('b', 12)), tail: Buffer.alloc(24), headerLength: '100000', error: /Inference-Header-Content-Length 100000 is past the end of the \d+-byte body/ },
    { what: 'header length negative', header: both(fp32('a', 12), fp32('b', 12)), tail: Buffer.alloc(24), headerLength: '-5', error: /Inference-Header-Content-Length must be a non-negative integer, got "-5"/ },
    { what: 'header length not a number', header: both(fp32('a', 12), fp32('b', 12)), tail: Buffer.alloc(24), headerLength: '12abc', error: /Inference-Header-Content-Length must be a non-negative integer/ },
    { what: 'header length cuts the JSON', header: both(fp32('a', 12), fp32('b', 12)), tail: Buffer.alloc(24), headerLength: '10', error: /not valid JSON/ },
    { what: 'BOOL byte other than 0/1', header: { inputs: [{ name: 'x_BOOL', datatype: 'BOOL', shape: [1, 3], parameters: { binary_data_size: 3 } }] }, tail: Buffer.from([1, 2, 0]), error: /input 'x_BOOL': element 1 is byte 2; a binary BOOL is 0 \(false\) or 1 \(true\)/ },
    { what: 'shape over the element limit', header: both(fp32('a', 12, [1, 1e9]), fp32('b', 12)), tail: Buffer.alloc(24), error: /input 'a': shape \[1,1000000000\] has more than/ },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const req = binaryRequest(c.header, c.tail);
      const model = JSON.stringify(c.header).includes('x_BOOL') ? 'all_types' : 'pair';
      const res = await post(`/v2/models/${model}/infer`, req.body, {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': c.headerLength ?? String(req.headerLength),
      });
      expect(res.statusCode, res.body).toBe(c.status ?? 400);
      expect(res.json().error).toMatch(c.error);
    });
  }

  it('binary_data_size in a request without the header', async () => {
    const res = await service.app.inject({ method: 'POST', url: '/v2/models/pair/infer', payload: both(fp32('a', 12), fp32('b', 12)) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/input 'a': parameters.binary_data_size is set but the request carries no binary data/);
  });

  it('binary_data that is not a boolean', async () => {
    const req = binaryRequest({ ...both(fp32('a', 12), fp32('b', 12)), outputs: [{ name: 'sum', parameters: { binary_data: 'yes' } }] }, Buffer.alloc(24));
    const res = await postBinary('/v2/models/pair/infer', req);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe(`output 'sum': parameter binary_data must be true or false, got "yes"`);
  });

  it('a binary body over BODY_LIMIT_BYTES is a 413, and other content types stay 415', async () => {
    const big = binaryRequest(both(fp32('a', 12), fp32('b', 12)), Buffer.alloc(5000));
    expect((await postBinary('/v2/models/pair/infer', big)).statusCode).toBe(413);
    const text = await post('/v2/models/pair/infer', Buffer.from('inputs'), { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toMatch(/^content-type must be application\/json/);
  });
});

describe('protocol units', () => {
  const catchError = (fn: () => unknown): InferenceError => {
    try {
      fn();
    } catch (error) {
      return error as InferenceError;
    }
    throw new Error('no error');
  };

  it('decodes raw bytes into the typed array the JSON path builds', () => {
    expect(Array.from(decodeRawTensor('t', 'INT64', [2], leBytes('INT64', [-1, 2 ** 40]), 10) as BigInt64Array)).toEqual([-1n, 2n ** 40n]);
    // An odd offset (unaligned for 4-byte reads) is copied, not viewed.
    const shifted = Buffer.concat([Buffer.from([9]), leBytes('FP32', [1.5, -2])]).subarray(1);
    expect(Array.from(decodeRawTensor('t', 'FP32', [2], shifted, 10) as Float32Array)).toEqual([1.5, -2]);
  });

  it('decodes and encodes BYTES as 4-byte little-endian length-prefixed elements', () => {
    const wire = Buffer.from([3, 0, 0, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0, 2, 0, 0, 0, 0xc3, 0xa9]);
    const elements = decodeBytesElements('t', wire, 3);
    expect(elements.map((e) => Buffer.from(e).toString('utf8'))).toEqual(['abc', '', 'é']);
    expect(encodeBytesElements(['abc', new Uint8Array(0), 'é']).equals(wire)).toBe(true);
    expect(catchError(() => decodeBytesElements('input \'s\'', wire.subarray(0, 6), 1)).message).toBe("input 's': BYTES element 0 declares 3 bytes, only 2 are left in the binary data");
    expect(catchError(() => decodeBytesElements('t', wire, 2)).message).toBe('t: 2 BYTES elements take 11 bytes, the binary data has 17');
    expect(catchError(() => decodeBytesElements('t', wire.subarray(0, 9), 2)).message).toMatch(/element 1 of 2: its 4-byte length prefix is past the end/);
    // A length near 2^32 is refused from the prefix, before anything is sliced.
    expect(catchError(() => decodeBytesElements('t', Buffer.from([0xff, 0xff, 0xff, 0xff]), 1)).message).toMatch(/declares 4294967295 bytes/);
  });

  it('parseInferRequest takes raw bytes as data (what a gRPC front end passes for raw_input_contents)', () => {
    const schema = { inputs: [{ name: 'x', datatype: 'INT64' as const, shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32' as const, shape: [-1] }], maxElements: 100 };
    const fromJson = parseInferRequest({ inputs: [{ name: 'x', datatype: 'INT64', shape: [2, 2], data: [1, -2, 3, 2 ** 40] }] }, schema);
    const fromRaw = parseInferRequest({ inputs: [{ name: 'x', datatype: 'INT64', shape: [2, 2], data: leBytes('INT64', [1, -2, 3, 2 ** 40]) }] }, schema);
    expect(fromRaw).toEqual(fromJson);
    expect(catchError(() => parseInferRequest({ inputs: [{ name: 'x', datatype: 'INT64', shape: [2, 2], data: leBytes('INT64', [1, 2, 3]) }] }, schema)).message).toBe(
      "input 'x': shape [2,2] of INT64 needs 32 bytes (4 × 8), the binary data has 24",
    );
  });

  it('checks header length and binary sizes against the body', () => {
    expect(headerLength('10', 10)).toBe(10);
    expect(catchError(() => headerLength('11', 10)).statusCode).toBe(400);
    const header = { inputs: [{ name: 'a', parameters: { binary_data_size: 2 } }, { name: 'b', data: [1] }, { name: 'c', parameters: { binary_data_size: 1 } }] };
    const parsed = attachBinaryInputs(header, Buffer.from([1, 2, 3])) as { inputs: Array<{ data?: unknown }> };
    expect([...(parsed.inputs[0]?.data as Uint8Array)]).toEqual([1, 2]);
    expect(parsed.inputs[1]?.data).toEqual([1]);
    expect([...(parsed.inputs[2]?.data as Uint8Array)]).toEqual([3]);
  });
});

describe('over a real socket', () => {
  it('answers a binary request byte for byte like the inject path', async () => {
    const live = await startService({ modelRepository: repo.root }, { listen: true });
    try {
      const a = leBytes('FP32', [4, 5, 6]);
      const req = binaryRequest(
        { id: 'sock', inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: 12 } }, { name: 'b', datatype: 'FP32', shape: [1, 3], data: [1, 1, 1] }], parameters: { binary_data_output: true } },
        a,
      );
      const { port } = new URL(live.url);
      const answer = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const r = httpRequest(
          { host: '127.0.0.1', port: Number(port), method: 'POST', path: '/v2/models/pair/infer', headers: { 'inference-header-content-length': String(req.headerLength), 'content-length': String(req.body.length) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        r.on('error', reject);
        // No content type at all, as Triton's Python client sends it; written in two pieces across the header/tail cut.
        r.write(req.body.subarray(0, req.headerLength + 3));
        r.end(req.body.subarray(req.headerLength + 3));
      });
      expect(answer.status, answer.body.toString()).toBe(200);
      const injected = await postBinary('/v2/models/pair/infer', req);
      expect(answer.body.equals(injected.rawPayload)).toBe(true);
      const { header, bytes } = splitAnswer(answer.body, Number(answer.headers['inference-header-content-length']));
      expect(header.id).toBe('sock');
      expect(readLe('FP32', bytes.get('sum') as Buffer)).toEqual([5, 6, 7]);
      expect(readLe('FP32', bytes.get('diff') as Buffer)).toEqual([3, 4, 5]);
    } finally {
      await live.close();
    }
  });
});

describe('result cache and audit with the production layer', () => {
  let real: RealService;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    real = await realService({ AUTH_MODE: 'none' }, sink);
  });
  afterAll(async () => real?.app.close());

  /** The demo model's JSON request as a binary one: both INT64 inputs as little-endian bytes. */
  const binaryDemo = (seed: number, id?: string, extra: Record<string, unknown> = {}) => {
    const json = demoInfer(seed);
    const tails = json.inputs.map((i) => leBytes('INT64', i.data));
    return binaryRequest(
      {
        ...(id !== undefined && { id }),
        ...extra,
        inputs: json.inputs.map((i, k) => ({ name: i.name, datatype: i.datatype, shape: i.shape, parameters: { binary_data_size: tails[k]?.length } })),
        outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
      },
      ...tails,
    );
  };
  const send = (req: { body: Buffer; headerLength: number }) =>
    real.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: req.body, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(req.headerLength) } });

  it('caches a binary answer for the same tensor bytes, splicing the new id into the header', async () => {
    const first = await send(binaryDemo(7, 'one'));
    const second = await send(binaryDemo(7, 'a-longer-id'));
    const other = await send(binaryDemo(8, 'one'));
    expect([first.headers['x-inference-cache'], second.headers['x-inference-cache'], other.headers['x-inference-cache']]).toEqual(['miss', 'hit', 'miss']);
    const a = splitAnswer(first.rawPayload, Number(first.headers['inference-header-content-length']));
    const b = splitAnswer(second.rawPayload, Number(second.headers['inference-header-content-length']));
    expect([a.header.id, b.header.id]).toEqual(['one', 'a-longer-id']);
    expect(b.bytes.get('probabilities')?.equals(a.bytes.get('probabilities') as Buffer)).toBe(true);
    expect(second.headers['content-type']).toBe('application/octet-stream');
    // And the numbers equal the JSON path's for the same tokens.
    const json = await real.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: { ...demoInfer(7), parameters: { cache: false } } });
    expect(readLe('FP32', a.bytes.get('probabilities') as Buffer)).toEqual(json.json().outputs[0].data);
  });

  it('a request for JSON outputs does not get a cached binary answer', async () => {
    const req = binaryDemo(9, 'x');
    await send(req);
    const asJson = binaryDemo(9, 'x', {});
    const header = JSON.parse(asJson.body.subarray(0, asJson.headerLength).toString()) as { outputs: unknown };
    header.outputs = [{ name: 'probabilities' }];
    const res = await send(binaryRequest(header, asJson.body.subarray(asJson.headerLength)));
    expect(res.headers['x-inference-cache']).toBe('miss');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('writes one audit record per binary call, without tensor bytes', async () => {
    lines.length = 0;
    await send(binaryDemo(11, 'audited'));
    const audit = lines.filter((l) => (l.event as { dataset?: string } | undefined)?.dataset === 'inference.audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ inference: { model: 'demo', status: 200, cache: 'miss' }, url: { path: '/v2/models/demo/infer' } });
    expect(JSON.stringify(audit[0])).not.toContain('binary_data_size');
  });
});
