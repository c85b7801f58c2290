/**
 * Gateway API controllers this blueprint supports, chosen per environment (`gateway` in the environment data).
 * ingress-nginx is retired (docs/adr/0002-gateway-api.md); both options implement Gateway API HTTPRoute with
 * weighted backends and header matches.
 */
import type { GatewayImplementation } from '../../environments/schema/types.js';
import type { HelmValues, PinnedChart } from '../../lib/helm.js';

export interface GatewayController {
  readonly chart: PinnedChart;
  readonly releaseName: string;
  /** GatewayClass the Gateway refers to. */
  readonly gatewayClassName: string;
  /** Set when the chart does not create the GatewayClass itself (we create it, in the inference stack). */
  readonly controllerName?: string;
  readonly values: HelmValues;
}

export const gatewayControllers: Readonly<Record<GatewayImplementation, GatewayController>> = {
  nginx: {
    // NGINX publishes this chart only as an OCI artifact (ghcr.io over TLS); there is no https index.
    chart: { repository: 'oci://ghcr.io/nginx/charts', chart: 'nginx-gateway-fabric', version: '2.7.2' },
    releaseName: 'nginx-gateway-fabric',
    gatewayClassName: 'nginx',
    values: {
      nginxGateway: { gatewayClassName: 'nginx', replicas: 2 },
      nginx: { service: { type: 'LoadBalancer' } },
    },
  },
  haproxy: {
    chart: { repository: 'https://haproxytech.github.io/helm-charts', chart: 'haproxy-unified-gateway', version: '1.2.0' },
    releaseName: 'haproxy-unified-gateway',
    gatewayClassName: 'haproxy',
    controllerName: 'gate.haproxy.org/hug',
    values: {
      // Gateway API CRDs come from our own pinned release, not the chart's install job.
      gwapijob: { enabled: false },
      controller: {
        replicaCount: 2,
        service: { type: 'LoadBalancer' },
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
      },
    },
  },
};

/** Gateway API CRDs (standard + experimental channel), packaged as a chart whose version is the API version. */
export const gatewayApiCrdsChart: PinnedChart = {
  repository: 'https://wiremind.github.io/wiremind-helm-charts',
  chart: 'gateway-api-crds',
  version: '1.6.0',
};

export const certManagerChart: PinnedChart = {
  repository: 'https://charts.jetstack.io',
  chart: 'cert-manager',
  version: 'v1.20.2',
};
