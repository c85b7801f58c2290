/**
 * Starts the OpenTelemetry Node SDK from a validated TracingConfig: one tracer provider for the process, spans
 * batched and exported over OTLP/HTTP (protobuf or JSON), W3C trace context and baggage propagation.
 *
 * Everything the SDK would otherwise read from process.env on its own is given explicitly here (exporter,
 * sampler, resource, propagator, no metric readers, no log processors), so the settings validated in config.ts are
 * the ones in force and the SDK never starts an OTLP metrics or logs exporter nobody asked for.
 */
import { context, propagation, trace, type ContextManager, type Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { SamplerConfig, TracingOn } from './config.js';

/** Instrumentation scope of every span the service makes. */
export const tracerName = '@vertical/inference';

export interface Tracing {
  readonly tracer: Tracer;
  /** The W3C trace-context propagator (traceparent/tracestate) used to read and write headers. */
  readonly propagator: W3CTraceContextPropagator;
  /** Exports every span ended so far (tests, and before exit). */
  flush(): Promise<void>;
  /** Flushes, stops the SDK and unregisters its globals; the process may start tracing again afterwards. */
  shutdown(): Promise<void>;
}

export function samplerFrom(config: SamplerConfig): Sampler {
  switch (config.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.ratio) });
  }
}

function exporterFrom(config: TracingOn): SpanExporter {
  if (config.exporter === 'console') return new ConsoleSpanExporter();
  const options = { url: config.endpoint as string };
  return config.protocol === 'http/json' ? new OtlpJsonExporter(options) : new OtlpProtoExporter(options);
}

let active = false;

/** Starts the SDK. One per process (the SDK registers process-wide globals); a second start throws. */
export function startTracing(config: TracingOn, options: { readonly serviceVersion?: string } = {}): Tracing {
  if (active) throw new Error('tracing is already started in this process; shut it down first');
  const processor = new BatchSpanProcessor(exporterFrom(config));
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      ...(options.serviceVersion && config.resourceAttributes['service.version'] === undefined ? { 'service.version': options.serviceVersion } : {}),
    }),
    resourceDetectors: [hostDetector, processDetector],
    sampler: samplerFrom(config.sampler),
    spanProcessors: [processor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    // No async-local context manager: every span here gets its parent explicitly (request-trace.ts), and on Node 20
    // an AsyncLocalStorage, once the span processor's export has used it, hooks every promise of the process.
    // `null` is the SDK's "do not register" (sdk-node utils.setupContextManager).
    contextManager: null as unknown as ContextManager,
    textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  sdk.start();
  active = true;
  const tracer = trace.getTracer(tracerName);
  return {
    tracer,
    propagator: new W3CTraceContextPropagator(),
    flush: () => processor.forceFlush(),
    shutdown: async () => {
      try {
        await sdk.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
        active = false;
      }
    },
  };
}
