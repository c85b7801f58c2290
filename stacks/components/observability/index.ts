/**
 * Observability, platform half: kube-prometheus-stack (Prometheus operator, Prometheus, Alertmanager, Grafana,
 * kube-state-metrics, node-exporter) and prometheus-adapter serving the service's per-pod load metrics to the HPAs.
 * The service's ServiceMonitor, PrometheusRule and dashboard are the inference half (./service-monitoring.ts).
 */
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { metricNames } from '../../../services/inference/src/metrics/names.js';
import { HelmChart } from '../../lib/helm.js';
import { blockSsdClassName } from '../storage/classes.js';

export { alertRuleGroups } from './alert-rules.js';

export interface ObservabilityProps {
  /** Namespace of Prometheus, Alertmanager, Grafana and the adapter. */
  readonly namespace: string;
  /** kube-prometheus-stack chart version; pinned, never a range. */
  readonly chartVersion?: string;
  /** prometheus-adapter chart version; pinned. */
  readonly adapterChartVersion?: string;
  /** Prometheus volume size on the block SSD class, e.g. "100Gi". */
  readonly prometheusStorage: string;
  /** Prometheus retention, e.g. "15d". */
  readonly retention: string;
  /** Grafana admin password (Terraform variable token), written to a Secret the chart reads. */
  readonly grafanaAdminPassword: string;
  /** Bump to rotate the write-only Secret data. */
  readonly secretRevision: number;
  /** Namespace and storage classes that must exist first. */
  readonly dependsOn?: ITerraformDependable[];
}

export const observabilityDefaults = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chartVersion: '88.6.0',
  adapterChartVersion: '5.3.0',
} as const;

/** Names the chart's objects get with `fullnameOverride: kps`. */
export const prometheusService = { name: 'kps-prometheus', port: 9090 } as const;
/** Grafana sidecar picks up ConfigMaps with this label in any namespace. */
export const dashboardLabel = { grafana_dashboard: '1' } as const;

/**
 * Per-pod service metrics prometheus-adapter serves on the custom metrics API, for the HPAs
 * (stacks/components/inference/autoscaling.ts): counts add up across a pod's series, a usage ratio takes the fullest.
 */
export const autoscalingMetrics: readonly { readonly name: string; readonly aggregate: 'sum' | 'max' }[] = [
  { name: metricNames.queueDepth, aggregate: 'sum' },
  { name: metricNames.activeSequences, aggregate: 'sum' },
  { name: metricNames.kvCacheUsage, aggregate: 'max' },
];

export class Observability extends Construct {
  readonly stack: HelmChart;
  readonly adapter: HelmChart;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const adminSecret = new SecretV1(this, 'grafana-admin', {
      metadata: { name: 'grafana-admin', namespace: props.namespace },
      dataWo: { 'admin-user': 'admin', 'admin-password': props.grafanaAdminPassword },
      dataWoRevision: props.secretRevision,
    });
    this.stack = new HelmChart(this, 'kube-prometheus-stack', {
      repository: observabilityDefaults.repository,
      chart: 'kube-prometheus-stack',
      version: props.chartVersion ?? observabilityDefaults.chartVersion,
      releaseName: 'kube-prometheus-stack',
      namespace: props.namespace,
      dependsOn: [...(props.dependsOn ?? []), adminSecret],
      values: {
        fullnameOverride: 'kps',
        prometheus: {
          prometheusSpec: {
            // Select ServiceMonitors and rules from every namespace, not only this release's.
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            retention: props.retention,
            storageSpec: {
              volumeClaimTemplate: {
                spec: {
                  storageClassName: blockSsdClassName,
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: props.prometheusStorage } },
                },
              },
            },
          },
        },
        grafana: {
          admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
          sidecar: {
            dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' },
          },
        },
      },
    });
    this.adapter = new HelmChart(this, 'prometheus-adapter', {
      repository: observabilityDefaults.repository,
      chart: 'prometheus-adapter',
      version: props.adapterChartVersion ?? observabilityDefaults.adapterChartVersion,
      releaseName: 'prometheus-adapter',
      namespace: props.namespace,
      dependsOn: [this.stack.release],
      values: {
        prometheus: { url: `http://${prometheusService.name}.${props.namespace}.svc`, port: prometheusService.port },
        rules: {
          default: false,
          custom: autoscalingMetrics.map(({ name, aggregate }) => ({
            seriesQuery: `${name}{namespace!="",pod!=""}`,
            resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
            name: { matches: `^${name}$`, as: name },
            metricsQuery: `${aggregate}(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)`,
          })),
        },
      },
    });
  }
}
