/**
 * The spans of one incoming call: its server span (a child of the caller's `traceparent` when one came in), and
 * the named phases inside it (auth, cache lookup, response) opened and closed by whoever runs them.
 *
 * Contexts are passed explicitly rather than read from the async-local "active" context: Fastify hooks do not run
 * inside a context set by an earlier hook, and an explicit parent is also what the batcher needs to link a batch to
 * requests that arrived in other async chains.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import type { Tracing } from './sdk.js';

/** Where a child span of a request hangs: the tracer and the context holding the request's span. */
export interface TraceParent {
  readonly tracer: Tracer;
  readonly context: Context;
}

export class RequestTrace implements TraceParent {
  readonly context: Context;
  /** Open phases, each with the attributes to add when it closes (however it closes). */
  private readonly phases = new Map<string, { readonly span: Span; readonly final?: () => Attributes }>();
  private ended = false;

  constructor(
    readonly tracer: Tracer,
    readonly span: Span,
    parent: Context,
  ) {
    this.context = trace.setSpan(parent, span);
  }

  /** The server span's ids, as the logs carry them (`trace.id`, `span.id`). */
  get spanContext(): SpanContext {
    return this.span.spanContext();
  }

  /**
   * False when the sampler dropped the request: its children would be dropped too (they share its trace id and
   * parent), so none are made; only the ids (logs, `traceparent`) remain.
   */
  get recording(): boolean {
    return this.span.isRecording();
  }

  /** Starts a child span of the request span; the caller ends it. Unsampled: the request's own non-recording span. */
  child(name: string, attributes?: Attributes): Span {
    if (!this.recording) return this.span;
    return this.tracer.startSpan(name, { attributes }, this.context);
  }

  /**
   * Opens phase `name` (one at a time per name); closed by endPhase, or by closePhases when the reply goes out.
   * `final` gives attributes known only at the end (the cache outcome), added either way.
   */
  startPhase(name: string, attributes?: Attributes, final?: () => Attributes): void {
    if (!this.recording) return;
    this.phases.get(name)?.span.end();
    this.phases.set(name, { span: this.child(name, attributes), ...(final ? { final } : {}) });
  }

  endPhase(name: string, attributes?: Attributes): void {
    const phase = this.phases.get(name);
    if (phase === undefined) return;
    this.phases.delete(name);
    if (phase.final) phase.span.setAttributes(phase.final());
    if (attributes) phase.span.setAttributes(attributes);
    phase.span.end();
  }

  /**
   * Ends the phases still open when the reply is sent: the phase that answered (a refused token, a cache hit). A
   * status of 400 and above marks it as an error, with the status as its message.
   */
  closePhases(statusCode: number): void {
    for (const [name, { span, final }] of this.phases) {
      if (final) span.setAttributes(final());
      span.setAttribute('inference.phase.answered', true);
      if (statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `answered ${statusCode}` });
      span.end();
      this.phases.delete(name);
    }
  }

  /** True once finish ran (the ids stay readable for the log lines written after it). */
  get finished(): boolean {
    return this.ended;
  }

  /** Ends the request span with the HTTP status (5xx is an error for a server span, 4xx is the caller's). */
  finish(statusCode: number, attributes?: Attributes): void {
    if (this.ended) return;
    this.ended = true;
    this.closePhases(statusCode);
    this.span.setAttribute('http.response.status_code', statusCode);
    if (attributes) this.span.setAttributes(attributes);
    if (statusCode >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
    this.span.end();
  }
}

/** Reads the W3C trace context of a carrier (HTTP headers, gRPC metadata as a record). */
export function extractParent(tracing: Tracing, carrier: unknown, getter: TextMapGetter = defaultTextMapGetter): Context {
  return tracing.propagator.extract(ROOT_CONTEXT, carrier, getter);
}

/** Starts the server span of an incoming call whose trace context is in `carrier`. */
export function startRequestTrace(tracing: Tracing, name: string, carrier: unknown, attributes: Attributes, getter?: TextMapGetter): RequestTrace {
  const parent = extractParent(tracing, carrier, getter);
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return new RequestTrace(tracing.tracer, span, parent);
}

/** The `traceparent` (and `tracestate`) naming the request span, to return to the caller or pass downstream. */
export function traceHeaders(tracing: Tracing, request: RequestTrace): Record<string, string> {
  const headers: Record<string, string> = {};
  tracing.propagator.inject(request.context, headers, defaultTextMapSetter);
  return headers;
}

/**
 * For entry points other than the HTTP routes (gRPC methods, generate streams): runs `fn` inside a server span
 * named `name`, parented on the trace context found in `carrier`, and hands `fn` the request's trace (children
 * hang on it explicitly: no async-local context manager is registered, sdk.ts). `fn`'s outcome sets the span
 * status; a thrown error is recorded and rethrown. Without tracing, `fn` runs with `undefined` and nothing else
 * happens.
 *
 *   await withRequestSpan(production.tracing, 'inference.GRPCInferenceService/ModelInfer', metadata.getMap(),
 *     { 'rpc.system': 'grpc' }, (trace) => batcher.submit(request, undefined, trace));
 */
export async function withRequestSpan<T>(
  tracing: Tracing | undefined,
  name: string,
  carrier: unknown,
  attributes: Attributes,
  fn: (trace: RequestTrace | undefined) => Promise<T>,
): Promise<T> {
  if (tracing === undefined) return fn(undefined);
  const request = startRequestTrace(tracing, name, carrier, attributes);
  try {
    const result = await fn(request);
    request.closePhases(200);
    request.span.end();
    return result;
  } catch (error) {
    request.closePhases(500);
    request.span.recordException(error as Error);
    request.span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    request.span.end();
    throw error;
  }
}
