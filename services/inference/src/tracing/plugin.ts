/**
 * Tracing for the HTTP routes, registered first by the production plugin so its hooks wrap all others:
 *
 *   onRequest  server span `POST /v2/models/:model/infer`, parented on the caller's `traceparent`; the request's
 *              logger is bound to its ids, so every later line it writes carries `trace.id` and `span.id` (the
 *              logger mixin of log-ids.ts; the audit line adds them itself, logging/access.ts)
 *   onSend     closes the phase that answered (a refusal, a cache hit); `traceparent` on the response names the
 *              server span, so a caller that sent none can still find the trace
 *   onResponse ends the server span with the status, model and version
 *
 * Health probes are not traced (kubelets probe every few seconds). `phase(name, hook)` gives the two marker
 * plugins the production plugin registers around a step (auth, cache lookup) to make it a child span.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { routeKind } from '../auth/route-policy.js';
import { bindTraceIds } from './log-ids.js';
import { startRequestTrace, traceHeaders, type RequestTrace } from './request-trace.js';
import type { Tracing } from './sdk.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's spans, when tracing is on and the route is traced. */
    otel?: RequestTrace;
  }
}

export interface TracingPluginOptions {
  readonly tracing: Tracing;
}

/** ECS fields naming a request's trace and server span, for log records built outside request.log. */
const noTrace: Readonly<Record<string, string>> = Object.freeze({});

export function traceLogFields(request: FastifyRequest): Readonly<Record<string, string>> {
  const ids = request.otel?.spanContext;
  return ids === undefined ? noTrace : { 'trace.id': ids.traceId, 'span.id': ids.spanId };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const tracingPlugin: FastifyPluginAsync<TracingPluginOptions> = async (app, { tracing }) => {
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || routeKind(route) === 'health') return done();
    const otel = startRequestTrace(tracing, `${request.method} ${route}`, request.headers, {
      'http.request.method': request.method,
      'http.route': route,
      'url.path': pathOf(request.url),
      'url.scheme': request.protocol,
      'http.request.id': request.id,
    });
    request.otel = otel;
    // Not request.log.child(): a second pino child per request cost more than all the spans of an unsampled one.
    bindTraceIds(request.log, otel.spanContext);
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const otel = request.otel;
    if (otel !== undefined) {
      otel.closePhases(reply.statusCode);
      for (const [name, value] of Object.entries(traceHeaders(tracing, otel))) reply.header(name, value);
    }
    done(null, payload);
  });

  app.addHook('onError', (request, reply, error, done) => {
    if (request.otel !== undefined && reply.statusCode >= 500) request.otel.span.recordException(error);
    done();
  });

  const finish = (request: FastifyRequest, statusCode: number): void => {
    const otel = request.otel;
    if (otel === undefined || otel.finished) return;
    const labels = request.inferenceLabels;
    otel.finish(statusCode, labels ? { 'inference.model': labels.model, 'inference.version': labels.version } : undefined);
  };
  app.addHook('onResponse', (request, reply, done) => {
    finish(request, reply.statusCode);
    done();
  });
  // The client went away before the reply: end the span anyway (499, nginx's "client closed request").
  app.addHook('onRequestAbort', (request, done) => {
    finish(request, 499);
    done();
  });
};

export default fp(tracingPlugin, { name: 'inference-tracing', fastify: '5.x' });

type PhaseHook = 'onRequest' | 'preHandler';

/**
 * Marker plugins around a step registered between them: `start` opens the phase span in the step's hook slot,
 * `end` closes it once the step's hooks have run (when the step answers itself, onSend closes it instead).
 */
export function phase(
  name: string,
  hook: PhaseHook,
  endAttributes?: (request: FastifyRequest) => Record<string, string | number | boolean>,
  /** Routes the step runs on (default all traced routes): the cache looks up inference calls only. */
  applies: (request: FastifyRequest) => boolean = () => true,
) {
  const marker = (action: (request: FastifyRequest) => void, role: string) =>
    fp(
      async (app: FastifyInstance) => {
        const handler = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
          action(request);
          done();
        };
        if (hook === 'onRequest') app.addHook('onRequest', handler);
        else app.addHook('preHandler', handler);
      },
      { name: `inference-tracing-${name}-${role}`, fastify: '5.x' },
    );
  return {
    start: marker((request) => {
      if (request.otel !== undefined && applies(request)) request.otel.startPhase(name, undefined, endAttributes && (() => endAttributes(request)));
    }, 'start'),
    end: marker((request) => request.otel?.endPhase(name), 'end'),
  };
}
