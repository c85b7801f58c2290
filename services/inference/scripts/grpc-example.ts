/**
 * A KServe V2 gRPC client in a few lines (docs/service.md, "gRPC"): asks the service on GRPC_ADDRESS whether it is
 * ready, reads the demo model's metadata, and runs one ModelInfer — once with typed contents, once with
 * raw_input_contents — printing what came back. `npm run grpc:example -w services/inference`.
 *
 *   GRPC_ADDRESS  host:port of the gRPC listener (default 127.0.0.1:8081)
 *   TOKEN         bearer token, sent as `authorization` metadata (AUTH_MODE=jwt; `npm run token` mints a dev one)
 *   GRPC_CA_FILE  PEM CA to verify the service's certificate (TLS_CERT_FILE set on the service); plaintext otherwise
 */
import { readFileSync } from 'node:fs';
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { inferenceServiceClient } from '../src/grpc/proto.js';

const address = process.env.GRPC_ADDRESS ?? '127.0.0.1:8081';
const ca = process.env.GRPC_CA_FILE;
const Service = inferenceServiceClient();
const client = new Service(address, ca ? credentials.createSsl(readFileSync(ca)) : credentials.createInsecure()) as Client &
  Record<string, (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: never) => void) => void>;

function call<T>(rpc: string, request: object): Promise<T> {
  const metadata = new Metadata();
  if (process.env.TOKEN) metadata.set('authorization', `Bearer ${process.env.TOKEN}`);
  return new Promise((resolve, reject) => client[rpc]!(request, metadata, (error, response) => (error ? reject(error) : resolve(response as T))));
}

const ids = [101, 1037, 2003, 102];
const inputs = [
  { name: 'input_ids', datatype: 'INT64', shape: [1, ids.length] },
  { name: 'attention_mask', datatype: 'INT64', shape: [1, ids.length] },
];
const int64le = (values: number[]): Buffer => Buffer.from(BigInt64Array.from(values, BigInt).buffer);

try {
  console.log('ServerReady  ', JSON.stringify(await call('ServerReady', {})));
  const metadata = await call<{ inputs: Array<{ name: string }> }>('ModelMetadata', { name: 'demo' });
  console.log('ModelMetadata', `inputs ${metadata.inputs.map((i) => i.name).join(', ')}`);
  const typed = await call<{ outputs: Array<{ name: string; contents: { fp32_contents: number[] } }> }>('ModelInfer', {
    model_name: 'demo',
    inputs: [{ ...inputs[0], contents: { int64_contents: ids } }, { ...inputs[1], contents: { int64_contents: ids.map(() => 1) } }],
    outputs: [{ name: 'probabilities' }],
  });
  console.log('ModelInfer   ', `typed: ${typed.outputs[0]!.name} = [${typed.outputs[0]!.contents.fp32_contents.map((v) => v.toFixed(4)).join(', ')}]`);
  const raw = await call<{ outputs: Array<{ name: string }>; raw_output_contents: Buffer[] }>('ModelInfer', {
    model_name: 'demo',
    inputs,
    outputs: [{ name: 'probabilities' }],
    raw_input_contents: [int64le(ids), int64le(ids.map(() => 1))],
  });
  const bytes = raw.raw_output_contents[0]!;
  const probabilities = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
  console.log('ModelInfer   ', `raw:   ${raw.outputs[0]!.name} = [${probabilities.map((v) => v.toFixed(4)).join(', ')}]`);
} catch (error) {
  const e = error as ServiceError;
  console.error(`gRPC call to ${address} failed: ${e.code !== undefined ? `code ${e.code} ` : ''}${e.details ?? e.message}`);
  process.exitCode = 1;
} finally {
  client.close();
}
