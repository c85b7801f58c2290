/**
 * The route model: one description of how client traffic splits between the stable and the canary version.
 *
 * The Gateway component renders it as a Gateway API HTTPRoute; the local rehearsal (pipelines/rehearsal) renders
 * the same model as an HAProxy configuration. Both must honour the weight and the pin header.
 */
export interface RouteBackend {
  /** Kubernetes Service name (cluster) or a logical server name (HAProxy). */
  readonly name: string;
  /** Port the backend listens on (the service's API port, 8080). */
  readonly port: number;
}

export interface CanaryRouteModel {
  /** Hostnames the route answers for (Gateway `hostnames`). */
  readonly hostnames: readonly string[];
  /** Path prefix routed to the service. */
  readonly pathPrefix: string;
  readonly stable: RouteBackend;
  readonly canary: RouteBackend;
  /** Percent of unpinned traffic sent to the canary, 0–100. */
  readonly canaryWeight: number;
  /** Requests carrying this header with this value always go to the canary (gate traffic). */
  readonly pinHeader: { readonly name: string; readonly value: string };
}

export const canaryPinHeader = { name: 'x-canary', value: 'always' } as const;

/** Checks a route model and returns it; throws with a message a person can act on. */
export function validateRouteModel(model: CanaryRouteModel): CanaryRouteModel {
  if (!Number.isInteger(model.canaryWeight) || model.canaryWeight < 0 || model.canaryWeight > 100) {
    throw new Error(`canaryWeight must be an integer from 0 to 100, got ${model.canaryWeight}`);
  }
  if (model.stable.name === model.canary.name) {
    throw new Error(`stable and canary backends must differ, both are "${model.stable.name}"`);
  }
  if (!model.pathPrefix.startsWith('/')) {
    throw new Error(`pathPrefix must start with "/", got "${model.pathPrefix}"`);
  }
  return model;
}
