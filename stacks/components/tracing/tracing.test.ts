import { App, TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { byName, resources, stack } from '../../test/synth.js';
import { Tracing } from './index.js';

const platform = stack('platform-prod');
const inference = stack('inference-prod');
const dev = stack('platform-dev');

type Release = { chart: string; version: string; repository: string; namespace: string; values: string[]; wait: boolean; depends_on?: string[] };
const jaeger = (s: typeof platform): Release => {
  const found = (resources(s, 'helm_release') as Release[]).find((r) => r.chart === 'jaeger');
  if (!found) throw new Error('no jaeger release');
  return found;
};
const values = (s: typeof platform) => parse(jaeger(s).values[0] as string);

describe('tracing (Jaeger v2)', () => {
  it('installs the pinned jaeger chart from jaegertracing over https, into the logging namespace', () => {
    expect(jaeger(platform)).toMatchObject({ version: '4.5.0', repository: 'https://jaegertracing.github.io/helm-charts', namespace: 'logging' });
    expect(jaeger(platform).depends_on).toContainEqual(expect.stringMatching(/^kubernetes_namespace_v1\.namespaces_logging/));
    // Elasticsearch comes with the inference stack, after this one: waiting would time out on a new cluster.
    expect(jaeger(platform).wait).toBe(false);
  });

  it('receives OTLP and stores spans in the logging Elasticsearch with credentials from ECK Secrets, none in the values', () => {
    const v = values(platform);
    const config = v.userconfig;
    expect(config.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] });
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    const es = config.extensions.jaeger_storage.backends.elasticsearch.elasticsearch;
    expect(es.server_urls).toEqual(['https://logs-es-http.logging.svc:9200']);
    expect(es.auth.basic).toEqual({ username: 'elastic', password: '${env:ES_PASSWORD}' });
    expect(es.tls.ca_pem).toBe('${env:ES_CA_PEM}');
    expect(es.indices.spans).toMatchObject({ rollover_frequency: 'day', replicas: 1 });
    expect(config.extensions.jaeger_query.storage.traces).toBe('elasticsearch');
    expect(v.jaeger.extraEnv).toEqual([
      { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'logs-es-elastic-user', key: 'elastic' } } },
      { name: 'ES_CA_PEM', valueFrom: { secretKeyRef: { name: 'logs-es-http-certs-public', key: 'ca.crt' } } },
    ]);
  });

  it('runs as a restricted non-root pod with requests equal to limits, sized per environment', () => {
    const v = values(platform).jaeger;
    expect(v.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.resources.requests).toEqual(v.resources.limits);
    expect(v.replicas).toBe(2);
    expect(values(dev).jaeger.replicas).toBe(1);
    // dev has one Elasticsearch node: replica shards could never be placed.
    expect(values(dev).userconfig.extensions.jaeger_storage.backends.elasticsearch.elasticsearch.indices.spans.replicas).toBe(0);
  });

  it('lets only the inference pods send spans, on OTLP/HTTP', () => {
    const policy = byName(platform, 'kubernetes_network_policy_v1', 'jaeger-otlp');
    expect(policy.metadata.namespace).toBe('logging');
    expect(policy.spec.pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/instance': 'jaeger' });
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'inference' } },
            pod_selector: { match_labels: { 'app.kubernetes.io/name': 'inference', 'app.kubernetes.io/part-of': 'vertical-inference' } },
          },
        ],
        ports: [{ port: '4318', protocol: 'TCP' }],
      },
    ]);
  });

  it('points the service at the collector with the environment sampler, and lets it out to exactly there', () => {
    const settings = byName(inference, 'kubernetes_config_map_v1', 'inference-config').data;
    expect(settings).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger.logging.svc.cluster.local:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.05',
      OTEL_SERVICE_NAME: 'inference',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod',
    });
    expect(byName(stack('inference-dev'), 'kubernetes_config_map_v1', 'inference-config').data.OTEL_TRACES_SAMPLER_ARG).toBe('1');
    const egress = byName(inference, 'kubernetes_network_policy_v1', 'inference').spec.egress;
    expect(egress).toContainEqual({
      to: [
        {
          namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'logging' } },
          pod_selector: { match_labels: { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/instance': 'jaeger' } },
        },
      ],
      ports: [{ port: '4318', protocol: 'TCP' }],
    });
  });

  it('refuses a range for the chart version and a replica count below one, when the construct is created', () => {
    const scope = () => new TerraformStack(Testing.app() as App, 'test');
    const props = { namespace: 'logging', elasticsearchName: 'logs', clients: { namespace: 'inference', podLabels: {} } };
    expect(() => new Tracing(scope(), 't', { ...props, chartVersion: '^4.5.0' })).toThrow('chart jaeger version "^4.5.0" must be exact');
    expect(() => new Tracing(scope(), 't', { ...props, replicas: 0 })).toThrow('tracing: replicas must be an integer ≥ 1, got 0');
  });
});
