import type { FastifyPluginAsync } from 'fastify';
import { unavailable } from '../protocol/errors.js';
import type { ModelMetadata } from '../protocol/types.js';

interface Params {
  readonly model: string;
  readonly version?: string;
}

/** Model metadata and model readiness, with and without a version in the path. */
export const modelMetadataRoutes: FastifyPluginAsync = async (fastify) => {
  const registry = fastify.modelRegistry;

  const metadata = async ({ params }: { params: Params }): Promise<ModelMetadata> => {
    const served = registry.resolve(params.model, params.version);
    if (served.state !== 'ready' || !served.inputs || !served.outputs) {
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    }
    const versions = [...registry.model(params.model).versions.keys()].sort((a, b) => a - b).map(String);
    return { name: served.model, versions, platform: 'onnxruntime_onnx', inputs: served.inputs, outputs: served.outputs };
  };

  const ready = async ({ params }: { params: Params }) => {
    const served = registry.resolve(params.model, params.version);
    if (served.state !== 'ready') {
      throw unavailable(`model '${served.model}' version ${served.version} is not ready${served.reason ? `: ${served.reason}` : ' (loading)'}`);
    }
    return { name: served.model, version: String(served.version), ready: true };
  };

  fastify.get<{ Params: Params }>('/v2/models/:model', metadata);
  fastify.get<{ Params: Params }>('/v2/models/:model/versions/:version', metadata);
  fastify.get<{ Params: Params }>('/v2/models/:model/ready', ready);
  fastify.get<{ Params: Params }>('/v2/models/:model/versions/:version/ready', ready);
};
