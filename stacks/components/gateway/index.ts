/**
 * Gateway / load balancing with Gateway API.
 * Platform stack (`GatewayPlatform`): Gateway API CRDs, cert-manager, and the environment's controller
 * (NGINX Gateway Fabric or HAProxy Unified Gateway).
 * Inference stack (`InferenceGateway`): ClusterIssuer, Certificate, GatewayClass (when the chart does not make
 * one), a Gateway with only an HTTPS listener, and the canary HTTPRoute rendered from the route model.
 */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { GatewayImplementation, TlsSpec } from '../../environments/schema/types.js';
import { HelmChart } from '../../lib/helm.js';
import { kubeManifest } from '../../lib/manifest.js';
import { certManagerChart, gatewayApiCrdsChart, gatewayControllers } from './controllers.js';
import { renderHttpRoute } from './httproute.js';
import { canaryPinHeader, type CanaryRouteModel, type RouteBackend } from './route-model.js';
import { certificate, clusterIssuer } from './tls.js';

export { gatewayControllers } from './controllers.js';

export interface GatewayPlatformProps {
  /** Which controller to install (environment `gateway`). */
  readonly implementation: GatewayImplementation;
  /** Namespace of the controller and, later, of the Gateway itself. */
  readonly gatewayNamespace: string;
  readonly certManagerNamespace: string;
  /** Chart overrides (exact versions). */
  readonly versions?: { readonly crds?: string; readonly certManager?: string; readonly controller?: string };
  /** cert-manager service-account annotations (workload identity for DNS-01). */
  readonly certManagerServiceAccountAnnotations?: Readonly<Record<string, string>>;
  /** Namespaces that must exist first. */
  readonly dependsOn?: ITerraformDependable[];
}

export class GatewayPlatform extends Construct {
  readonly releases: HelmChart[];

  constructor(scope: Construct, id: string, props: GatewayPlatformProps) {
    super(scope, id);
    const v = props.versions ?? {};
    const crds = new HelmChart(this, 'gateway-api-crds', {
      ...gatewayApiCrdsChart,
      version: v.crds ?? gatewayApiCrdsChart.version,
      releaseName: 'gateway-api-crds',
      namespace: props.gatewayNamespace,
      values: {},
      wait: false,
      dependsOn: props.dependsOn,
    });
    const certManager = new HelmChart(this, 'cert-manager', {
      ...certManagerChart,
      version: v.certManager ?? certManagerChart.version,
      releaseName: 'cert-manager',
      namespace: props.certManagerNamespace,
      dependsOn: props.dependsOn,
      values: {
        crds: { enabled: true, keep: true },
        replicaCount: 2,
        podDisruptionBudget: { enabled: true },
        serviceAccount: { annotations: { ...props.certManagerServiceAccountAnnotations } },
      },
    });
    const controller = gatewayControllers[props.implementation];
    const controllerRelease = new HelmChart(this, 'controller', {
      ...controller.chart,
      version: v.controller ?? controller.chart.version,
      releaseName: controller.releaseName,
      namespace: props.gatewayNamespace,
      values: controller.values,
      dependsOn: [...(props.dependsOn ?? []), crds.release],
    });
    this.releases = [crds, certManager, controllerRelease];
  }
}

export interface InferenceGatewayProps {
  /** Decides the GatewayClass (and whether this stack creates it). */
  readonly implementation: GatewayImplementation;
  /** Namespace of the Gateway and its certificate Secret. */
  readonly gatewayNamespace: string;
  /** Namespace of the service and its HTTPRoute. */
  readonly routeNamespace: string;
  /** Hostnames and issuer of the HTTPS listener's certificate. */
  readonly tls: TlsSpec;
  /** Services of the two tracks (port 8080). */
  readonly stable: RouteBackend;
  readonly canary: RouteBackend;
  /** Percent of unpinned traffic to the canary (from the environment). */
  readonly canaryWeight: number;
  /** Path prefix routed to the service (default "/"). */
  readonly pathPrefix?: string;
}

export const gatewayName = 'inference';
export const httpsListener = { name: 'https', port: 443 } as const;

export class InferenceGateway extends Construct {
  /** The route model as rendered, for tests and for the rehearsal's HAProxy rendering. */
  readonly routeModel: CanaryRouteModel;

  constructor(scope: Construct, id: string, props: InferenceGatewayProps) {
    super(scope, id);
    const controller = gatewayControllers[props.implementation];
    const tlsSecret = 'inference-tls';
    const issuer = kubeManifest(this, 'cluster-issuer', clusterIssuer(props.tls));
    const cert = kubeManifest(this, 'certificate', certificate(props.tls, props.gatewayNamespace, tlsSecret), [issuer]);
    const deps: ITerraformDependable[] = [cert];
    if (controller.controllerName) {
      deps.push(
        kubeManifest(this, 'gateway-class', {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'GatewayClass',
          metadata: { name: controller.gatewayClassName },
          spec: { controllerName: controller.controllerName },
        }),
      );
    }
    const gateway = kubeManifest(
      this,
      'gateway',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: gatewayName, namespace: props.gatewayNamespace },
        spec: {
          gatewayClassName: controller.gatewayClassName,
          // HTTPS only: clients never reach the service in clear text.
          listeners: [
            {
              name: httpsListener.name,
              protocol: 'HTTPS',
              port: httpsListener.port,
              tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: tlsSecret }] },
              allowedRoutes: {
                namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': props.routeNamespace } } },
              },
            },
          ],
        },
      },
      deps,
    );
    this.routeModel = {
      hostnames: props.tls.hostnames,
      pathPrefix: props.pathPrefix ?? '/',
      stable: props.stable,
      canary: props.canary,
      canaryWeight: props.canaryWeight,
      pinHeader: canaryPinHeader,
    };
    kubeManifest(
      this,
      'http-route',
      renderHttpRoute(this.routeModel, 'inference', props.routeNamespace, {
        name: gatewayName,
        namespace: props.gatewayNamespace,
        sectionName: httpsListener.name,
      }),
      [gateway],
    );
  }
}
