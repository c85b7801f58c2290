/**
 * Jaeger v2's own configuration (the OpenTelemetry Collector layout: receivers, processors, exporters, pipelines,
 * plus Jaeger's extensions), as a typed object the chart renders into its `user-config` ConfigMap
 * (https://www.jaegertracing.io/docs/2.15/configuration/, storage: …/storage/elasticsearch/).
 *
 * Spans arrive over OTLP (HTTP 4318, gRPC 4317), are batched, and written to the logging stack's Elasticsearch
 * through `jaeger_storage`; `jaeger_query` serves the UI and API from the same backend. The Elasticsearch password
 * and CA come from environment variables the Deployment sets from ECK's Secrets (`${env:…}` is expanded by the
 * collector's config loader), so no secret is written into the ConfigMap.
 */

export const jaegerPorts = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, health: 13133, metrics: 8888 } as const;

/** Environment variables the config reads; ./index.ts fills them from Secrets. */
export const jaegerSecretEnv = { password: 'ES_PASSWORD', ca: 'ES_CA_PEM' } as const;

export interface JaegerConfigSpec {
  /** `https://<es>-es-http.<namespace>.svc:9200`. */
  readonly elasticsearchUrl: string;
  readonly elasticsearchUser: string;
  /** Prefix of the daily span and service indices (`<prefix>-jaeger-span-YYYY-MM-DD`). */
  readonly indexPrefix: string;
  /** Replica shards of each daily index (0 on a single-node cluster). */
  readonly indexReplicas: number;
}

const storageName = 'elasticsearch';

export function jaegerConfig(s: JaegerConfigSpec): Record<string, unknown> {
  // Daily indices (Jaeger's default date layout, 2006-01-02); one shard each is ample for trace volumes here.
  const daily = { rollover_frequency: 'day', shards: 1, replicas: s.indexReplicas };
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: {
        resource: { 'service.name': 'jaeger' },
        metrics: { level: 'basic' },
        logs: { level: 'info' },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `0.0.0.0:${jaegerPorts.health}` } },
      jaeger_query: { storage: { traces: storageName }, http: { endpoint: `0.0.0.0:${jaegerPorts.query}` } },
      jaeger_storage: {
        backends: {
          [storageName]: {
            elasticsearch: {
              server_urls: [s.elasticsearchUrl],
              auth: { basic: { username: s.elasticsearchUser, password: `\${env:${jaegerSecretEnv.password}}` } },
              tls: { ca_pem: `\${env:${jaegerSecretEnv.ca}}` },
              indices: { index_prefix: s.indexPrefix, spans: { ...daily }, services: { ...daily } },
            },
          },
        },
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${jaegerPorts.otlpGrpc}` },
          http: { endpoint: `0.0.0.0:${jaegerPorts.otlpHttp}` },
        },
      },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: storageName } },
  };
}
