/**
 * HorizontalPodAutoscalers (typed v1/v2/v2beta2 or manifests), KEDA ScaledObjects (which create an HPA), and
 * PodDisruptionBudgets.
 */
import type { StackDoc } from '../engine/model.js';
import { block, num, str, type JsonObject } from '../engine/values.js';
import { manifests, metaOf, ofTypes, resolveName } from './objects.js';

export interface Autoscaler {
  readonly address: string;
  readonly namespace: string;
  readonly targetKind: string;
  readonly targetName: string;
  readonly minReplicas?: number;
}

const hpaTypes = ['kubernetes_horizontal_pod_autoscaler_v2', 'kubernetes_horizontal_pod_autoscaler_v2beta2', 'kubernetes_horizontal_pod_autoscaler_v1', 'kubernetes_horizontal_pod_autoscaler'];

function autoscaler(stack: StackDoc, address: string, namespace: string, spec: JsonObject | undefined, minKey: string): Autoscaler {
  const target = block(spec, 'scale_target_ref');
  const min = num(spec, minKey);
  return {
    address,
    namespace,
    targetKind: str(target, 'kind') ?? 'Deployment',
    targetName: resolveName(stack, str(target, 'name')) ?? '',
    // HPA minReplicas defaults to 1; KEDA minReplicaCount defaults to 0.
    ...(min !== undefined ? { minReplicas: min } : {}),
  };
}

export function autoscalers(stack: StackDoc): Autoscaler[] {
  const typed = ofTypes(stack, hpaTypes).map((r) => autoscaler(stack, r.address, metaOf(stack, r).namespace, block(r.attributes, 'spec'), 'min_replicas'));
  const hpas = manifests(stack, 'HorizontalPodAutoscaler').map((m) => autoscaler(stack, m.resource.address, resolveName(stack, m.namespace) ?? 'default', block(m.body, 'spec'), 'min_replicas'));
  const keda = manifests(stack, 'ScaledObject').map((m) => autoscaler(stack, m.resource.address, resolveName(stack, m.namespace) ?? 'default', block(m.body, 'spec'), 'min_replica_count'));
  return [...typed, ...hpas, ...keda];
}

export interface DisruptionBudget {
  readonly address: string;
  readonly namespace: string;
  readonly selector: JsonObject | undefined;
  readonly minAvailable?: string;
  readonly maxUnavailable?: string;
}

export function disruptionBudgets(stack: StackDoc): DisruptionBudget[] {
  const read = (address: string, namespace: string, spec: JsonObject | undefined): DisruptionBudget => {
    const minAvailable = str(spec, 'min_available');
    const maxUnavailable = str(spec, 'max_unavailable');
    return { address, namespace, selector: block(spec, 'selector'), ...(minAvailable ? { minAvailable } : {}), ...(maxUnavailable ? { maxUnavailable } : {}) };
  };
  const typed = ofTypes(stack, ['kubernetes_pod_disruption_budget_v1', 'kubernetes_pod_disruption_budget']).map((r) => read(r.address, metaOf(stack, r).namespace, block(r.attributes, 'spec')));
  const custom = manifests(stack, 'PodDisruptionBudget').map((m) => read(m.resource.address, resolveName(stack, m.namespace) ?? 'default', block(m.body, 'spec')));
  return [...typed, ...custom];
}
