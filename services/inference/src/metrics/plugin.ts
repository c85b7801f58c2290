/**
 * Records every inference call: request counter by model/version/status, latency histogram, in-flight gauge.
 *
 * Label values are bounded: a model or version the repository does not serve is recorded as "unknown", so a
 * client sending random model names cannot create unbounded time series.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { isGenerateRoute, modelParams, routeKind } from '../auth/route-policy.js';
import type { InferenceMetrics } from './instruments.js';

/** Given the model and (optional) version in the URL, the version actually served, or undefined when unknown. */
export type VersionResolver = (model: string, version: string | undefined) => string | undefined;

export interface MetricsPluginOptions {
  readonly metrics: InferenceMetrics;
  readonly resolveVersion: VersionResolver;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the metrics plugin on inference calls: bounded label values for this request. */
    inferenceLabels?: { readonly model: string; readonly version: string };
  }
  interface FastifyInstance {
    /** The service's Prometheus instruments (one registry per app). */
    inferenceMetrics: InferenceMetrics;
  }
}

export function labelsFor(request: FastifyRequest, resolve: VersionResolver): { model: string; version: string } {
  const { model, version } = modelParams(request.params);
  const served = model === undefined ? undefined : resolve(model, version);
  return served === undefined || model === undefined ? { model: 'unknown', version: 'unknown' } : { model, version: served };
}

const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, opts) => {
  const { metrics } = opts;
  app.decorate('inferenceMetrics', metrics);
  const leave = (): void => {
    metrics.inflight.dec();
  };

  // Callback-style hooks (no promise per hook): these run on every request of a service whose main thread is its
  // bottleneck (docs/benchmark.md).
  app.addHook('onRequest', (request, reply, done) => {
    if (routeKind(request.routeOptions.url) === 'infer') {
      request.inferenceLabels = labelsFor(request, opts.resolveVersion);
      metrics.inflight.inc();
      // 'close' fires once whether the reply finished or the client went away, so the gauge cannot leak.
      reply.raw.on('close', leave);
    }
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const labels = request.inferenceLabels;
    if (labels !== undefined) {
      metrics.requests.inc({ model: labels.model, version: labels.version, status: String(reply.statusCode) });
      // Fastify's own clock: from the request's arrival (before the onRequest hooks) to the reply finished. Not for
      // text generation: its duration is the length of the answer, and time to first token stands in for latency
      // there (inference_generate_time_to_first_token_seconds), so the 200 ms p95 objective keeps meaning infer.
      // V2 infer on a generative model generates too (request.generates, src/generation/start.ts).
      if (!isGenerateRoute(request.routeOptions.url ?? '') && request.generates !== true) metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
    }
    done();
  });
};

export default fp(metricsPlugin, { name: 'inference-metrics', fastify: '5.x' });
