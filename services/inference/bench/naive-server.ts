/**
 * The naive design the benchmark compares against: the same protocol code, but one `session.run` per request
 * on the event loop, no batching, no worker threads, ONNX Runtime's default thread settings.
 * Usage: tsx bench/naive-server.ts <port> <model.onnx>
 */
import Fastify from 'fastify';
import ort from 'onnxruntime-node';
import { dataTypeInfo, type TypedArray } from '../src/protocol/datatypes.js';
import { encodeTensorData, serializeInferResponse } from '../src/protocol/encode-tensor.js';
import { parseInferRequest } from '../src/protocol/parse-infer-request.js';
import { tensorSpecs } from '../src/model-repository/tensor-specs.js';

const [port = '8090', file = ''] = process.argv.slice(2);
const session = await ort.InferenceSession.create(file);
const meta = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
  list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'string', shape: m.isTensor ? [...m.shape] : [] }));
const specs = tensorSpecs(meta(session.inputMetadata), meta(session.outputMetadata));

const server = Fastify({ logger: false });
server.get('/v2/health/ready', async () => ({ ready: true }));
server.post('/v2/models/demo/infer', async (http, reply) => {
  const request = parseInferRequest(http.body, { ...specs, maxElements: 1 << 22 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of request.inputs) feeds[t.name] = new ort.Tensor(dataTypeInfo[t.datatype].ort as 'float32', t.data as Float32Array, t.shape);
  const results = await session.run(feeds);
  const wanted = request.outputs ?? session.outputNames;
  reply.type('application/json');
  return serializeInferResponse({
    model_name: 'demo',
    model_version: '1',
    ...(request.id !== undefined && { id: request.id }),
    outputs: wanted.map((name) => {
      const tensor = results[name] as ort.Tensor;
      const spec = specs.outputs.find((s) => s.name === name);
      const datatype = spec?.datatype ?? 'FP32';
      return { name, datatype, shape: [...tensor.dims], data: encodeTensorData(datatype, tensor.data as TypedArray) };
    }),
  });
});
await server.listen({ host: '127.0.0.1', port: Number(port) });
