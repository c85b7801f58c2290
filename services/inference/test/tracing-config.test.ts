/** The standard OTEL_* variables: off by default, read as the spec says, refused with a message naming the variable. */
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../scripts/otlp-receiver/receiver.js';
import { ConfigError } from '../src/config.js';
import { productionConfigFromEnv } from '../src/production/config.js';
import { tracingConfigFromEnv, type TracingOn } from '../src/tracing/config.js';
import { withRequestSpan } from '../src/tracing/request-trace.js';
import { startTracing } from '../src/tracing/sdk.js';

const on = (env: Record<string, string>): TracingOn => {
  const config = tracingConfigFromEnv(env);
  if (!config.enabled) throw new Error(`expected tracing on, got off: ${config.reason}`);
  return config;
};

describe('tracing configuration', () => {
  it('is off without an endpoint, when disabled, or with the none exporter', () => {
    expect(tracingConfigFromEnv({})).toEqual({ enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set' });
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' })).toMatchObject({ enabled: false, reason: 'OTEL_SDK_DISABLED=true' });
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({ enabled: false });
  });

  it('appends /v1/traces to the base endpoint and takes the traces endpoint as given', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger-collector.tracing:4318/' }).endpoint).toBe('http://jaeger-collector.tracing:4318/v1/traces');
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/otlp/traces' }).endpoint).toBe('https://b/otlp/traces');
  });

  it('has the SDK defaults and reads protocol, sampler, service name and resource attributes', () => {
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318' })).toMatchObject({
      exporter: 'otlp',
      protocol: 'http/protobuf',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      serviceName: 'inference',
    });
    const config = on({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,k8s.namespace.name=inference,note=a%2Cb',
    });
    expect(config).toMatchObject({ protocol: 'http/json', sampler: { name: 'parentbased_traceidratio', ratio: 0.25 }, serviceName: 'from-attrs' });
    expect(config.resourceAttributes).toEqual({ 'service.name': 'from-attrs', 'k8s.namespace.name': 'inference', note: 'a,b' });
    expect(on({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SERVICE_NAME: 'svc', OTEL_RESOURCE_ATTRIBUTES: 'service.name=x' }).serviceName).toBe('svc');
    expect(on({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ exporter: 'console' });
  });

  it.each([
    [{ OTEL_SDK_DISABLED: 'yes' }, 'OTEL_SDK_DISABLED must be true or false, got "yes"'],
    [{ OTEL_TRACES_EXPORTER: 'jaeger' }, 'OTEL_TRACES_EXPORTER must be otlp, console or none, got "jaeger"'],
    [{ OTEL_TRACES_EXPORTER: 'otlp,console' }, 'OTEL_TRACES_EXPORTER takes one exporter here'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://jaeger:4317' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http:// or https:// URL'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json, got "grpc" (grpc is not built in'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'protobuf' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be one of http/protobuf, http/json, got "protobuf"'],
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1, got "1.5"'],
    [{ OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1, got "half"'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'team' }, 'OTEL_RESOURCE_ATTRIBUTES must be comma-separated key=value pairs, got "team"'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'team=%zz' }, 'OTEL_RESOURCE_ATTRIBUTES: the value of "team" is not valid percent-encoding'],
  ])('refuses %o at start-up with a ConfigError naming the variable', (env, message) => {
    // Checked even while tracing is off (no endpoint), so a typo fails the deploy that made it.
    expect(() => productionConfigFromEnv({ AUTH_MODE: 'none', ...env })).toThrow(ConfigError);
    expect(() => productionConfigFromEnv({ AUTH_MODE: 'none', ...env })).toThrow(message);
  });
});

describe('samplers, through the SDK to a receiver', () => {
  it('drops root spans at ratio 0 but keeps children of a sampled remote parent (parentbased_traceidratio)', async () => {
    const receiver = await startOtlpReceiver();
    const tracing = startTracing(on({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }));
    try {
      tracing.tracer.startSpan('root-at-ratio-0').end();
      const remote = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      tracing.tracer.startSpan('child-of-sampled', {}, remote).end();
      await tracing.flush();
      await receiver.waitFor((spans) => spans.length > 0);
      expect(receiver.spans.map((s) => s.name)).toEqual(['child-of-sampled']);
      expect(() => startTracing(on({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }))).toThrow('tracing is already started in this process');
    } finally {
      await tracing.shutdown();
      await receiver.close();
    }
  });
});

describe('withRequestSpan, for entry points other than HTTP (gRPC, generate)', () => {
  it('opens a server span under the carrier\'s traceparent, with children hung on it, and records a thrown error', async () => {
    const receiver = await startOtlpReceiver();
    const tracing = startTracing(on({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }));
    try {
      const metadata = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
      const result = await withRequestSpan(tracing, 'inference.GRPCInferenceService/ModelInfer', metadata, { 'rpc.system': 'grpc' }, async (request) => {
        request?.startPhase('tokenize');
        request?.endPhase('tokenize', { tokens: 12 });
        return 'answer';
      });
      expect(result).toBe('answer');
      await expect(
        withRequestSpan(tracing, 'inference.GRPCInferenceService/ModelInfer', {}, {}, async () => {
          throw new Error('model exploded');
        }),
      ).rejects.toThrow('model exploded');
      await tracing.flush();
      const spans = await receiver.waitFor((all) => all.length >= 3);
      const [ok, failed] = spans.filter((s) => s.kind === 2);
      expect(ok).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', attributes: { 'rpc.system': 'grpc' }, status: { code: 0 } });
      expect(spans.find((s) => s.name === 'tokenize')).toMatchObject({ parentSpanId: ok?.spanId, attributes: { tokens: 12 } });
      expect(failed).toMatchObject({ parentSpanId: '', status: { code: 2, message: 'model exploded' } });
      // Without tracing the function just runs.
      expect(await withRequestSpan(undefined, 'x', {}, {}, async (request) => request)).toBeUndefined();
    } finally {
      await tracing.shutdown();
      await receiver.close();
    }
  });
});
