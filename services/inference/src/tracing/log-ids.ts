/**
 * `trace.id` and `span.id` on the log lines of a traced request, through a pino mixin on the root logger rather
 * than a child logger per request: the request's logger (Fastify's `request.log`, also `reply.log`) is bound to
 * the ids in a WeakMap, and the mixin, called for every line, adds them when the writing logger is bound.
 * Installed only when tracing is on (production/runtime.ts), so with tracing off log lines cost what they did.
 */
import type { SpanContext } from '@opentelemetry/api';

const bound = new WeakMap<object, SpanContext>();

export function bindTraceIds(logger: object, ids: SpanContext): void {
  bound.set(logger, ids);
}

/** pino `mixin`: the fields to merge into a line written by `logger`. Returns a new object (pino merges into it). */
export function traceIdsMixin(_mergeObject: object, _level: number, logger: object): Record<string, string> {
  const ids = bound.get(logger);
  return ids === undefined ? {} : { 'trace.id': ids.traceId, 'span.id': ids.spanId };
}
