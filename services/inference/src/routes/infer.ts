import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { encodeTensorData, serializeInferResponse } from '../protocol/encode-tensor.js';
import { unavailable } from '../protocol/errors.js';
import { parseInferRequest } from '../protocol/parse-infer-request.js';
import type { InferRequest, InferResponse } from '../protocol/types.js';
import type { ServedVersion } from '../model-repository/model-registry.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { runInterceptors } from './infer-pipeline.js';

interface Params {
  readonly model: string;
  readonly version?: string;
}

/** POST .../infer: validate against the model, run through the interceptors, queue for a batch, answer. */
export const inferRoutes: FastifyPluginAsync = async (fastify) => {
  const { modelRegistry: registry, serviceConfig: config } = fastify;
  // Infer bodies are JSON only; without this Fastify would hand a text/plain body over as a string.
  fastify.removeContentTypeParser('text/plain');

  const handler = async (http: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<string> => {
    const served = registry.resolve(http.params.model, http.params.version);
    if (served.state !== 'ready' || !served.batcher || !served.inputs || !served.outputs) {
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    }
    const request = parseInferRequest(http.body, { inputs: served.inputs, outputs: served.outputs, maxElements: config.maxTensorElements });
    const context = { model: served.model, version: served.version, request, http };
    const response = await runInterceptors(fastify.inferInterceptors, context, () => execute(served, request, http.otel));
    reply.type('application/json; charset=utf-8');
    const body = serializeInferResponse(response);
    http.otel?.endPhase('response');
    return body;
  };

  const options = { bodyLimit: config.bodyLimitBytes };
  fastify.post<{ Params: Params }>('/v2/models/:model/infer', options, handler);
  fastify.post<{ Params: Params }>('/v2/models/:model/versions/:version/infer', options, handler);
};

/** `trace`: the request's spans when traced; the batcher hangs queue wait and batch spans on it, and the response
 * phase (encoding and serializing the outputs) starts when the batch has answered. */
async function execute(served: ServedVersion, request: InferRequest, trace?: RequestTrace): Promise<InferResponse> {
  const outputs = await (served.batcher as NonNullable<ServedVersion['batcher']>).submit(request, trace);
  trace?.startPhase('response');
  const wanted = request.outputs ?? outputs.map((o) => o.name);
  return {
    model_name: served.model,
    model_version: String(served.version),
    ...(request.id !== undefined && { id: request.id }),
    outputs: wanted.map((name) => {
      const tensor = outputs.find((o) => o.name === name);
      if (!tensor) throw new Error(`model produced no output '${name}'`);
      return { name, datatype: tensor.datatype, shape: tensor.shape, data: encodeTensorData(tensor.datatype, tensor.data) };
    }),
  };
}
