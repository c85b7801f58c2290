/**
 * Tracing: Jaeger v2 (the `jaeger` chart of jaegertracing's repository, all-in-one: OTLP receiver, query API and
 * UI in one stateless Deployment) storing spans in the logging stack's Elasticsearch, next to the logs whose
 * `trace.id` points at them. It runs in the logging namespace: the Elasticsearch credentials and CA are ECK
 * Secrets there, and Secrets cannot be read across namespaces.
 *
 * The release does not wait for readiness: Elasticsearch is a custom resource of the inference stack, applied
 * after this (platform) stack, so on a new cluster Jaeger becomes ready only once that stack has run; waiting
 * here would time out and roll the release back.
 */
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { HelmChart } from '../../lib/helm.js';
import { assertDnsLabel } from '../../lib/names.js';
import { jaegerConfig, jaegerPorts, jaegerSecretEnv } from './jaeger-config.js';

export interface TracingProps {
  /** Namespace of Jaeger: the logging namespace, where Elasticsearch and its ECK Secrets are. */
  readonly namespace: string;
  /** `jaeger` chart version; pinned, never a range. */
  readonly chartVersion?: string;
  /** Name of the ECK Elasticsearch resource storing the spans (its Service is `<name>-es-http`). */
  readonly elasticsearchName: string;
  /** Jaeger replicas (stateless; more than one spreads OTLP load and keeps the UI up during rollouts). */
  readonly replicas?: number;
  /** CPU and memory, requests = limits. */
  readonly cpu?: string;
  readonly memory?: string;
  /** Replica shards of the daily trace indices; 0 on a single-node Elasticsearch. */
  readonly indexReplicas?: number;
  /** The namespace and pod labels allowed to send OTLP (the inference pods). */
  readonly clients: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  /** The namespace, which must exist first. */
  readonly dependsOn?: ITerraformDependable[];
}

export const tracingDefaults = {
  repository: 'https://jaegertracing.github.io/helm-charts',
  // Chart 4.5.0 ships Jaeger 2.15.1 (the v2 all-in-one layout of chart 4.2+).
  chartVersion: '4.5.0',
  releaseName: 'jaeger',
  replicas: 1,
  cpu: '500m',
  memory: '512Mi',
  indexReplicas: 1,
  indexPrefix: 'inference',
  // The jaegertracing/jaeger image's user.
  uid: 10001,
} as const;

/** The chart's selector labels for release `jaeger` (name = chart, instance = release). */
export const jaegerPodLabels = { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/instance': tracingDefaults.releaseName } as const;

/** Where the service sends spans: OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends /v1/traces). */
export function otlpEndpoint(namespace: string): string {
  return `http://${tracingDefaults.releaseName}.${namespace}.svc.cluster.local:${jaegerPorts.otlpHttp}`;
}

const byNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

export class Tracing extends Construct {
  readonly chart: HelmChart;
  /** OTLP/HTTP base URL for the service's OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpEndpoint: string;

  constructor(scope: Construct, id: string, props: TracingProps) {
    super(scope, id);
    assertDnsLabel(props.namespace, 'tracing namespace');
    const replicas = props.replicas ?? tracingDefaults.replicas;
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`tracing: replicas must be an integer ≥ 1, got ${replicas}`);
    const resources = { cpu: props.cpu ?? tracingDefaults.cpu, memory: props.memory ?? tracingDefaults.memory };
    const es = props.elasticsearchName;
    this.otlpEndpoint = otlpEndpoint(props.namespace);

    this.chart = new HelmChart(this, 'jaeger', {
      repository: tracingDefaults.repository,
      chart: 'jaeger',
      version: props.chartVersion ?? tracingDefaults.chartVersion,
      releaseName: tracingDefaults.releaseName,
      namespace: props.namespace,
      dependsOn: props.dependsOn,
      wait: false,
      values: {
        userconfig: jaegerConfig({
          elasticsearchUrl: `https://${es}-es-http.${props.namespace}.svc:9200`,
          elasticsearchUser: 'elastic',
          indexPrefix: tracingDefaults.indexPrefix,
          indexReplicas: props.indexReplicas ?? tracingDefaults.indexReplicas,
        }),
        jaeger: {
          replicas,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          resources: { requests: { ...resources }, limits: { ...resources } },
          extraEnv: [
            { name: jaegerSecretEnv.password, valueFrom: { secretKeyRef: { name: `${es}-es-elastic-user`, key: 'elastic' } } },
            { name: jaegerSecretEnv.ca, valueFrom: { secretKeyRef: { name: `${es}-es-http-certs-public`, key: 'ca.crt' } } },
          ],
          podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: tracingDefaults.uid,
            runAsGroup: tracingDefaults.uid,
            fsGroup: tracingDefaults.uid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      },
    });

    // The logging namespace denies by default (components/logging/network.ts) and lets its own pods talk to each
    // other and to DNS, which covers Jaeger → Elasticsearch. Only the service's pods may send spans in.
    new NetworkPolicyV1(this, 'otlp-ingress', {
      metadata: { name: 'jaeger-otlp', namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...jaegerPodLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ ...byNamespace(props.clients.namespace), podSelector: { matchLabels: { ...props.clients.podLabels } } }],
            ports: [{ port: String(jaegerPorts.otlpHttp), protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}

export { jaegerPorts } from './jaeger-config.js';
