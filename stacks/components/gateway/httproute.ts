/**
 * Renders the canary route model (./route-model.ts) as a Gateway API HTTPRoute: one rule that pins requests
 * carrying the pin header to the canary, and one that splits the rest by weight. The header rule is more
 * specific, so Gateway API's precedence picks it first (https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule).
 */
import type { KubeObject } from '../../lib/manifest.js';
import { validateRouteModel, type CanaryRouteModel } from './route-model.js';

export interface ParentGateway {
  readonly name: string;
  readonly namespace: string;
  readonly sectionName: string;
}

export function renderHttpRoute(model: CanaryRouteModel, name: string, namespace: string, parent: ParentGateway): KubeObject {
  validateRouteModel(model);
  const path = { type: 'PathPrefix', value: model.pathPrefix };
  // Fields the Gateway API CRDs default (group, kind) are written out: `kubernetes_manifest` compares what it
  // planned with what the API server stored, and server-side defaults would otherwise show up as drift.
  const backend = (b: { name: string; port: number }, weight: number) => ({ group: '', kind: 'Service', name: b.name, port: b.port, weight });
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: parent.name, namespace: parent.namespace, sectionName: parent.sectionName }],
      hostnames: [...model.hostnames],
      rules: [
        {
          matches: [{ path, headers: [{ type: 'Exact', name: model.pinHeader.name, value: model.pinHeader.value }] }],
          backendRefs: [backend(model.canary, 1)],
        },
        {
          matches: [{ path }],
          backendRefs: [backend(model.stable, 100 - model.canaryWeight), backend(model.canary, model.canaryWeight)],
        },
      ],
    },
  };
}
