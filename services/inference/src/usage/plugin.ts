/**
 * Tenant usage for cost allocation: every inference call by an authenticated (or AUTH_MODE=none anonymous) caller is
 * counted for its tenant — calls, items, worker compute seconds — once the reply is sent. The infer route fills
 * `request.usage` (items when validated, compute seconds when its batch ran); refusals before that count as a call
 * with no items.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { routeKind } from '../auth/route-policy.js';
import type { InferenceMetrics } from '../metrics/instruments.js';
import type { UsageConfig } from './config.js';
import { tenantOfPrincipal, usageRecorder, type RecordUsage, type UsageFigures } from './meter.js';
import { TenantLabels } from './tenant-labels.js';

export interface UsagePluginOptions {
  readonly config: UsageConfig;
  readonly metrics: Pick<InferenceMetrics, 'tenantUsage'>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** This call's usage figures (src/usage/meter.ts); set by the route that served it. */
    usage?: UsageFigures;
  }
  interface FastifyInstance {
    /** Records a tenant's use of a model in the usage counters (src/usage/meter.ts documents the call). */
    recordUsage: RecordUsage;
  }
}

const usagePlugin: FastifyPluginAsync<UsagePluginOptions> = async (app, opts) => {
  const record = usageRecorder(opts.metrics.tenantUsage, new TenantLabels(opts.config));
  app.decorate('recordUsage', record);
  app.addHook('onResponse', (request, _reply, done) => {
    const tenant = tenantOfPrincipal(request.principal);
    const labels = request.inferenceLabels;
    if (tenant !== undefined && labels !== undefined && routeKind(request.routeOptions.url) === 'infer') {
      const usage = request.usage;
      record({
        tenant,
        model: labels.model,
        version: labels.version,
        requests: 1,
        items: usage?.items ?? 0,
        computeSeconds: usage?.computeSeconds ?? 0,
        // Generate calls (src/generation/start.ts) also count their tokens.
        ...(usage?.promptTokens !== undefined && { promptTokens: usage.promptTokens }),
        ...(usage?.completionTokens !== undefined && { completionTokens: usage.completionTokens }),
      });
    }
    done();
  });
};

export default fp(usagePlugin, { name: 'inference-usage', fastify: '5.x' });
