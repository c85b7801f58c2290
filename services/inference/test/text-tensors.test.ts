/**
 * Text as BYTES tensors the way Triton's clients send it: a generative model's V2 infer with a BYTES `text_input`
 * over gRPC (typed in `contents.bytes_contents`, or raw: a 4-byte little-endian length prefix per element) and over
 * HTTP with the binary tensor data extension answers the same `text_output` as plain JSON REST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBytesElements, encodeBytesElements } from '../src/protocol/binary-tensor.js';
import { grpcClient, type TestGrpcClient } from './production-support/grpc-client.js';
import { realService, type RealService } from './production-support/real-service.js';

let service: RealService;
let client: TestGrpcClient;
const prompt = 'Once upon a time';
const parameters = { max_tokens: 8, temperature: 0 };

beforeAll(async () => {
  service = await realService({ AUTH_MODE: 'none' }, undefined, { grpcEnabled: true, grpcPort: 0, workerThreads: 1 });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  client = grpcClient(`127.0.0.1:${await service.app.grpc!.listen()}`);
}, 120_000);

afterAll(async () => {
  client?.close();
  await service?.app.close();
});

interface GrpcOutput {
  name: string;
  datatype: string;
  shape: string[];
  contents: { bytes_contents?: Buffer[] } | null;
}

async function restText(): Promise<string> {
  const res = await service.app.inject({
    method: 'POST',
    url: '/v2/models/demo-llm/infer',
    payload: { inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1], data: [prompt] }], parameters },
  });
  expect(res.statusCode).toBe(200);
  return (res.json() as { outputs: { data: string[] }[] }).outputs[0]!.data[0]!;
}

const grpcParameters = { max_tokens: { int64_param: 8 }, temperature: { int64_param: 0 } };

describe('BYTES over gRPC', () => {
  it('typed bytes_contents in, bytes_contents out, the same text as REST', async () => {
    const expected = await restText();
    expect(expected.length).toBeGreaterThan(0);
    const { message } = await client.call<{ outputs: GrpcOutput[]; raw_output_contents: Buffer[] }>('ModelInfer', {
      model_name: 'demo-llm',
      parameters: grpcParameters,
      inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from(prompt)] } }],
    });
    const output = message.outputs[0]!;
    expect([output.name, output.datatype]).toEqual(['text_output', 'BYTES']);
    expect(output.contents?.bytes_contents?.map((b) => b.toString('utf8'))).toEqual([expected]);
  });

  it('raw length-prefixed input in, raw length-prefixed output back', async () => {
    const expected = await restText();
    const { message } = await client.call<{ outputs: GrpcOutput[]; raw_output_contents: Buffer[] }>('ModelInfer', {
      model_name: 'demo-llm',
      parameters: grpcParameters,
      inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1] }],
      raw_input_contents: [encodeBytesElements([prompt])],
    });
    const raw = message.raw_output_contents[0]!;
    expect(decodeBytesElements('text_output', raw, 1).map((e) => Buffer.from(e).toString('utf8'))).toEqual([expected]);
  });

  it('a BYTES length prefix past the data is INVALID_ARGUMENT naming the input', async () => {
    const broken = Buffer.from([200, 0, 0, 0, 65]);
    const error = await client.fail('ModelInfer', {
      model_name: 'demo-llm',
      inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1] }],
      raw_input_contents: [broken],
    });
    expect(error.code).toBe(3);
    expect(error.details).toMatch(/input 'text_input': BYTES element 0 declares 200 bytes/);
  });
});

describe('BYTES in the HTTP binary tensor data extension', () => {
  it('a binary text_input and a binary text_output, the same text as JSON', async () => {
    const expected = await restText();
    const tail = encodeBytesElements([prompt]);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: tail.byteLength } }],
        outputs: [{ name: 'text_output', parameters: { binary_data: true } }],
        parameters,
      }),
    );
    const res = await service.app.inject({
      method: 'POST',
      url: '/v2/models/demo-llm/infer',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.byteLength) },
      payload: Buffer.concat([header, tail]),
    });
    expect(res.statusCode, res.body).toBe(200);
    const headerLength = Number(res.headers['inference-header-content-length']);
    const body = res.rawPayload;
    const json = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as { outputs: { name: string; parameters: { binary_data_size: number } }[] };
    expect(json.outputs[0]?.name).toBe('text_output');
    const binary = body.subarray(headerLength);
    expect(binary.byteLength).toBe(json.outputs[0]?.parameters.binary_data_size);
    expect(decodeBytesElements('text_output', binary, 1).map((e) => Buffer.from(e).toString('utf8'))).toEqual([expected]);
  });
});
