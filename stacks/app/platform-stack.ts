/**
 * `platform-<env>`: cluster add-ons, operators and their CRDs. Everything here is a typed resource or a Helm
 * release, so it plans against an empty cluster; custom resources wait for the inference stack.
 */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GatewayPlatform } from '../components/gateway/index.js';
import { GpuOperator } from '../components/gpu-node-pools/index.js';
import { EckOperator } from '../components/logging/index.js';
import { Namespaces, namespaces } from '../components/namespaces/index.js';
import { Observability } from '../components/observability/index.js';
import { StorageClasses } from '../components/storage/index.js';
import { inferencePodLabels } from '../components/inference/index.js';
import { elasticsearchName } from '../components/logging/elastic-stack.js';
import { Tracing } from '../components/tracing/index.js';
import type { EnvironmentConfig } from '../environments/index.js';
import { configureBackend } from './backend.js';
import { configureProviders, secretsRevision, secretVariable } from './providers.js';

export class PlatformStack extends TerraformStack {
  readonly env: EnvironmentConfig;

  constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id);
    this.env = env;
    configureBackend(this, env.backend, id);
    configureProviders(this, { defaultContext: env.kubeContext, helm: true });
    const charts = env.charts ?? {};

    const ns = new Namespaces(this, 'namespaces');
    const storage = new StorageClasses(this, 'storage', { cloud: env.cloud, modelStoreNetwork: env.modelStoreNetwork });
    const observability = new Observability(this, 'observability', {
      namespace: namespaces.monitoring,
      chartVersion: charts.kubePrometheusStack,
      adapterChartVersion: charts.prometheusAdapter,
      prometheusStorage: env.monitoring.prometheusStorage,
      retention: env.monitoring.retention,
      grafanaAdminPassword: secretVariable(this, 'grafana_admin_password', 'Grafana admin password.'),
      secretRevision: secretsRevision(this),
      dependsOn: [ns.get('monitoring'), ...storage.classes],
    });
    new GpuOperator(this, 'gpu-operator', {
      cloud: env.cloud,
      namespace: namespaces.gpuOperator,
      chartVersion: charts.gpuOperator,
      // The chart's DCGM ServiceMonitor needs the Prometheus operator's CRDs.
      dependsOn: [ns.get('gpuOperator'), observability.stack.release],
    });
    new EckOperator(this, 'eck-operator', {
      namespace: namespaces.elasticSystem,
      chartVersion: charts.eckOperator,
      dependsOn: [ns.get('elasticSystem')],
    });
    new Tracing(this, 'tracing', {
      namespace: namespaces.logging,
      chartVersion: charts.jaeger,
      elasticsearchName,
      replicas: env.tracing.jaegerReplicas,
      indexReplicas: env.tracing.indexReplicas,
      clients: { namespace: namespaces.inference, podLabels: inferencePodLabels },
      dependsOn: [ns.get('logging')],
    });
    new GatewayPlatform(this, 'gateway', {
      implementation: env.gateway,
      gatewayNamespace: namespaces.gateway,
      certManagerNamespace: namespaces.certManager,
      versions: {
        crds: charts.gatewayApiCrds,
        certManager: charts.certManager,
        controller: env.gateway === 'nginx' ? charts.nginxGatewayFabric : charts.haproxyUnifiedGateway,
      },
      certManagerServiceAccountAnnotations: env.tls.certManagerServiceAccountAnnotations,
      dependsOn: [ns.get('gateway'), ns.get('certManager')],
    });
  }
}
