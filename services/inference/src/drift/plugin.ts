/**
 * Drift monitoring: each validated inference call of a version that carries a drift profile (profile.ts) is counted
 * into that profile's bins — its inputs, and its outputs when the answer holds them — and exported as
 * inference_drift_observations_total beside the profile's inference_drift_reference_ratio. Result-cache hits are
 * answered before the request is validated (cache/plugin.ts) and are not counted: a repeat of a request already
 * counted once.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { InferenceMetrics } from '../metrics/instruments.js';
import type { ServedVersion } from '../model-repository/model-registry.js';
import { VersionMonitor, type DriftInstruments } from './monitor.js';

export interface DriftPluginOptions {
  readonly metrics: Pick<InferenceMetrics, 'driftObservations' | 'driftReference' | 'beforeDriftScrape'>;
}

const driftPlugin: FastifyPluginAsync<DriftPluginOptions> = async (app, opts) => {
  const monitors = new Map<string, { readonly served: ServedVersion; readonly monitor: VersionMonitor }>();
  const instruments: DriftInstruments = { observations: opts.metrics.driftObservations, reference: opts.metrics.driftReference };
  const flush = (): void => {
    for (const { monitor } of monitors.values()) monitor.flush();
  };
  opts.metrics.beforeDriftScrape.add(flush);
  app.addHook('onClose', async () => {
    opts.metrics.beforeDriftScrape.delete(flush);
  });

  const monitorOf = (model: string, version: number): VersionMonitor | undefined => {
    let served: ServedVersion;
    try {
      served = app.modelRegistry.resolve(model, String(version));
    } catch {
      return undefined;
    }
    const key = `${model}/${version}`;
    const known = monitors.get(key);
    if (known?.served === served) return known.monitor;
    // First call, or a reload swapped the version's files: start over with its (possibly new) profile.
    known?.monitor.remove();
    monitors.delete(key);
    if (served.driftProfile === undefined) return undefined;
    const monitor = new VersionMonitor(served.driftProfile, instruments);
    monitors.set(key, { served, monitor });
    return monitor;
  };

  app.inferenceEvents.add({
    onModelReady: (e) => {
      const key = `${e.model}/${e.version}`;
      if (e.ready) {
        // Export the version's bins (at 0) before its first request, so increase() counts that request too. The
        // registry reports ready just before it swaps the loaded version in; look it up once that has happened.
        setImmediate(() => monitorOf(e.model, e.version));
        return;
      }
      monitors.get(key)?.monitor.remove();
      monitors.delete(key);
    },
  });

  const safely = (call: () => void): void => {
    try {
      call();
    } catch (error) {
      app.log.debug({ err: error }, 'drift monitor failed; serving on');
    }
  };

  app.inferInterceptors.push(async (context, next) => {
    const monitor = monitorOf(context.model, context.version);
    if (monitor === undefined) return next();
    safely(() => monitor.observeInputs(context.request.inputs));
    const response = await next();
    safely(() => monitor.observeOutputs(response.outputs));
    return response;
  });
};

export default fp(driftPlugin, { name: 'inference-drift', fastify: '5.x' });
