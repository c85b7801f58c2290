/**
 * Model repository extension (Triton's, which KServe's V2 servers share): `POST /v2/repository/models/{model}/load`
 * loads or reloads one model from MODEL_REPOSITORY — a new version folder, changed bytes, a changed config.json
 * (sha256, batching, providers). The previous load keeps serving until the new one is loaded and warmed up, and
 * keeps serving when it fails. Scope `admin` (auth/route-policy.ts classifies every /v2/repository route).
 *
 * Answers: 200 with what is served now; 404 when the repository has no such model folder; 409 while models are
 * still loading or another reload runs; 422 when a version (or config.json) cannot be loaded, naming it and why.
 */
import type { FastifyPluginAsync } from 'fastify';
import { InferenceError } from '../protocol/errors.js';

interface Params {
  readonly model: string;
}

export const repositoryRoutes: FastifyPluginAsync = async (fastify) => {
  const registry = fastify.modelRegistry;
  fastify.post<{ Params: Params }>('/v2/repository/models/:model/load', async (request) => {
    const report = await registry.reload(request.params.model);
    if (report.failed.length > 0) {
      const problems = report.failed.map((f) => `version ${f.version}: ${f.reason}${f.previousKeepsServing ? ' (its previous load keeps serving)' : ''}`);
      throw new InferenceError(422, `model '${report.model}' did not load completely: ${problems.join('; ')}`);
    }
    return report;
  });
};
