/**
 * Observability, inference half: the ServiceMonitor scraping port 9000 of both tracks (copying the pod's
 * `track` label onto every series), the PrometheusRule built from alert-rules.ts, and the dashboard ConfigMap.
 */
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1/index.js';
import { Construct } from 'constructs';
import { trackLabel } from '../../../services/inference/src/metrics/names.js';
import { kubeManifest } from '../../lib/manifest.js';
import { alertRuleGroups } from './alert-rules.js';
import { inferenceDashboard } from './dashboard.js';
import { dashboardLabel } from './index.js';

export interface ServiceMonitoringProps {
  /** Namespace of the service (ServiceMonitor and PrometheusRule live next to it). */
  readonly namespace: string;
  /** Namespace Grafana runs in (the dashboard ConfigMap goes there). */
  readonly monitoringNamespace: string;
  /** Labels of the service's Services (both tracks). */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /** Name of the metrics port on the Services. */
  readonly metricsPortName: string;
  readonly scrapeInterval?: string;
}

export class ServiceMonitoring extends Construct {
  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    kubeManifest(this, 'service-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'inference', namespace: props.namespace },
      spec: {
        selector: { matchLabels: { ...props.serviceLabels } },
        namespaceSelector: { matchNames: [props.namespace] },
        podTargetLabels: [trackLabel],
        endpoints: [{ port: props.metricsPortName, path: '/metrics', interval: props.scrapeInterval ?? '15s' }],
      },
    });
    kubeManifest(this, 'prometheus-rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'inference-slo', namespace: props.namespace },
      spec: { groups: alertRuleGroups() },
    });
    new ConfigMapV1(this, 'dashboard', {
      metadata: { name: 'inference-dashboard', namespace: props.monitoringNamespace, labels: { ...dashboardLabel } },
      data: { 'inference.json': JSON.stringify(inferenceDashboard(), null, 2) },
    });
  }
}
