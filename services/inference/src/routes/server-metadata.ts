import type { FastifyPluginAsync } from 'fastify';
import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** GET /v2: server name, version and protocol extensions (Triton's name for the binary tensor data extension). */
export const serverMetadataRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.get('/v2', async () => ({ name: 'vertical-inference', version, extensions: ['binary_tensor_data'] }));
};
