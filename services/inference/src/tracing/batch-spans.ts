/**
 * Spans of the dynamic batcher (batching/dynamic-batcher.ts):
 *
 *   queue.wait      one per request, child of its request span: from enqueue to the dispatch of its batch, linked
 *                   to the batch span it went into
 *   batch           one per batch, linked to the span of every request in it (OpenTelemetry's model for batch
 *                   processing: one operation, many causes); its parent is the oldest sampled request of the batch, so
 *                   a request's own trace shows the work done for it, and the others reach it through the link
 *   batch.assemble  child of batch: concatenating the requests' tensors
 *   worker.compute  child of batch: session.run on the worker thread, timed there (start and duration reported back
 *                   with the result), so the time a batch waited for the thread's message port is not counted
 *
 * Nothing here runs unless at least one request of the batch carries a trace.
 */
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Link, type Span, type Tracer } from '@opentelemetry/api';
import type { TraceParent } from './request-trace.js';

/** What a queued request carries when it is traced. */
export interface QueuedTrace {
  readonly tracer: Tracer;
  readonly parent: TraceParent;
  readonly wait: Span;
}

/** Starts the queue.wait span of a request; undefined when the request is not sampled (nothing to record). */
export function startQueueWait(parent: TraceParent, attributes: { readonly model: string; readonly version: number; readonly rows: number }): QueuedTrace | undefined {
  if (trace.getSpan(parent.context)?.isRecording() !== true) return undefined;
  const wait = parent.tracer.startSpan(
    'queue.wait',
    { attributes: { 'inference.model': attributes.model, 'inference.version': attributes.version, 'inference.request.rows': attributes.rows } },
    parent.context,
  );
  return { tracer: parent.tracer, parent, wait };
}

/** Ends a queue.wait span whose request left the queue without a batch (no worker has the model). */
export function endQueueWait(queued: QueuedTrace, error: Error): void {
  queued.wait.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  queued.wait.end();
}

export interface BatchSpanAttributes {
  readonly model: string;
  readonly version: number;
  /** Rows each request contributed, in batch order. */
  readonly rows: readonly number[];
}

export class BatchTrace {
  private constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
  ) {}

  /** Ends the requests' queue.wait spans and starts the batch span; undefined when no request is traced. */
  static start(queued: ReadonlyArray<QueuedTrace | undefined>, attributes: BatchSpanAttributes): BatchTrace | undefined {
    const traced = queued.filter((q): q is QueuedTrace => q !== undefined);
    const first = traced.find((q) => (q.wait.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) ?? traced[0];
    if (first === undefined) return undefined;
    const links: Link[] = [];
    queued.forEach((q, index) => {
      const requestSpan = q === undefined ? undefined : trace.getSpanContext(q.parent.context);
      if (requestSpan !== undefined) links.push({ context: requestSpan, attributes: { 'inference.batch.index': index, 'inference.request.rows': attributes.rows[index] ?? 0 } });
    });
    const span = first.tracer.startSpan(
      'batch',
      {
        links,
        attributes: {
          'inference.model': attributes.model,
          'inference.version': attributes.version,
          'inference.batch.requests': queued.length,
          'inference.batch.size': attributes.rows.reduce((a, b) => a + b, 0),
        },
      },
      first.parent.context,
    );
    const batchLink: Link = { context: span.spanContext() };
    for (const q of traced) {
      q.wait.addLink(batchLink);
      q.wait.end();
    }
    return new BatchTrace(first.tracer, span);
  }

  /** Times `fn` (assembling the batch) as the batch.assemble span. */
  assemble<T>(fn: () => T): T {
    const span = this.tracer.startSpan('batch.assemble', {}, trace.setSpan(ROOT_CONTEXT, this.span));
    try {
      return fn();
    } finally {
      span.end();
    }
  }

  /**
   * Records the worker.compute span from the worker's own clock: `startedAtMs` is epoch milliseconds
   * (performance.timeOrigin + performance.now() on the worker, comparable across threads of one process).
   */
  computed(startedAtMs: number | undefined, computeMs: number, attributes: { readonly workerId?: number; readonly partial: boolean }): void {
    if (startedAtMs === undefined) return;
    const span = this.tracer.startSpan(
      'worker.compute',
      { startTime: startedAtMs, attributes: { 'inference.compute_ms': computeMs, 'inference.batch.partial': attributes.partial, ...(attributes.workerId !== undefined ? { 'inference.worker.id': attributes.workerId } : {}) } },
      trace.setSpan(ROOT_CONTEXT, this.span),
    );
    span.end(startedAtMs + computeMs);
  }

  end(error?: Error): void {
    if (error !== undefined) {
      this.span.recordException(error);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    this.span.end();
  }
}
