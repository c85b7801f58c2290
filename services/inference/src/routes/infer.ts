import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ComputeMeter } from '../batching/dynamic-batcher.js';
import { inferenceHeaderLength } from '../protocol/binary-body.js';
import { binaryOutputNames, rawOutputData, serializeBinaryResponse } from '../protocol/binary-response.js';
import { encodeTensorData, serializeInferResponse } from '../protocol/encode-tensor.js';
import { unavailable } from '../protocol/errors.js';
import { parseInferRequest } from '../protocol/parse-infer-request.js';
import type { InferRequest, InferResponse } from '../protocol/types.js';
import type { ServedVersion } from '../model-repository/model-registry.js';
import { isGenerative } from '../generation/registry-engines.js';
import { installInferBodyParsers } from './infer-body-parsers.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { runInterceptors } from './infer-pipeline.js';
import { textInfer } from './infer-text.js';

interface Params {
  readonly model: string;
  readonly version?: string;
}

/** POST .../infer: validate against the model, run through the interceptors, queue for a batch, answer. */
export const inferRoutes: FastifyPluginAsync = async (fastify) => {
  const { modelRegistry: registry, serviceConfig: config } = fastify;
  // JSON bodies, and the binary tensor data extension's JSON header + binary inputs; nothing else (415).
  installInferBodyParsers(fastify);

  const handler = async (http: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<string | Buffer> => {
    const served = registry.resolve(http.params.model, http.params.version);
    if (isGenerative(served)) {
      // Text generation, also when refused: not an infer latency (metrics plugin).
      http.generates = true;
      const response = await textInfer(fastify, http, reply);
      // text_output in binary framing when asked (binary_data_output / binary_data), as tritonclient does by default.
      const binaryText = serializeBinaryResponse(response, binaryOutputNames(http.body));
      if (binaryText) {
        reply.type('application/octet-stream').header(inferenceHeaderLength, String(binaryText.headerLength));
        return binaryText.body;
      }
      reply.type('application/json; charset=utf-8');
      return serializeInferResponse(response);
    }
    if (served.state !== 'ready' || !served.batcher || !served.inputs || !served.outputs) {
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    }
    const request = parseInferRequest(http.body, { inputs: served.inputs, outputs: served.outputs, maxElements: config.maxTensorElements });
    const wantsBinary = binaryOutputNames(http.body);
    const context = { model: served.model, version: served.version, request, http };
    // Usage accounting (src/usage): items now, the worker-time share once the batch ran (cache hits stay at 0).
    const usage = { items: itemsOf(served, request), computeSeconds: 0 };
    http.usage = usage;
    const meter = (shareMs: number): void => {
      usage.computeSeconds += shareMs / 1000;
    };
    const response = await runInterceptors(fastify.inferInterceptors, context, () => execute(served, request, meter, http.otel));
    const binary = serializeBinaryResponse(response, wantsBinary);
    if (binary) {
      reply.type('application/octet-stream').header(inferenceHeaderLength, String(binary.headerLength));
      http.otel?.endPhase('response');
      return binary.body;
    }
    reply.type('application/json; charset=utf-8');
    const body = serializeInferResponse(response);
    http.otel?.endPhase('response');
    return body;
  };

  const options = { bodyLimit: config.bodyLimitBytes };
  fastify.post<{ Params: Params }>('/v2/models/:model/infer', options, handler);
  fastify.post<{ Params: Params }>('/v2/models/:model/versions/:version/infer', options, handler);
};

/** Batch rows of the request: dimension 0 of its first input when the model batches, else 1. */
function itemsOf(served: ServedVersion, request: InferRequest): number {
  const batchable = served.inputs?.[0]?.shape[0] === -1;
  return batchable ? (request.inputs[0]?.shape[0] ?? 1) : 1;
}

/**
 * `meter`: told the request's share of the batch's worker time. `trace`: the request's spans when traced; the
 * batcher hangs queue wait and batch spans on it, and the response phase (encoding and serializing the outputs)
 * starts when the batch has answered.
 */
async function execute(served: ServedVersion, request: InferRequest, meter: ComputeMeter, trace?: RequestTrace): Promise<InferResponse> {
  const outputs = await (served.batcher as NonNullable<ServedVersion['batcher']>).submit(request, meter, trace);
  trace?.startPhase('response');
  const wanted = request.outputs ?? outputs.map((o) => o.name);
  return {
    model_name: served.model,
    model_version: String(served.version),
    ...(request.id !== undefined && { id: request.id }),
    outputs: wanted.map((name) => {
      const tensor = outputs.find((o) => o.name === name);
      if (!tensor) throw new Error(`model produced no output '${name}'`);
      const output = { name, datatype: tensor.datatype, shape: tensor.shape, data: encodeTensorData(tensor.datatype, tensor.data) };
      rawOutputData.set(output, tensor.data);
      return output;
    }),
  };
}
