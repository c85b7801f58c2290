/**
 * NetworkPolicies (typed `kubernetes_network_policy_v1` or a `kubernetes_manifest`) read into one shape, and
 * Services with the ports they expose.
 */
import type { StackDoc } from '../engine/model.js';
import { block, blocks, num, str, stringMap, strings, type JsonObject } from '../engine/values.js';
import { manifests, metaOf, ofTypes, resolveName, typedKinds } from './objects.js';

export interface NetworkPolicy {
  readonly address: string;
  readonly stack: string;
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: JsonObject;
  readonly policyTypes: readonly string[];
  readonly ingress: readonly JsonObject[];
  readonly egress: readonly JsonObject[];
}

function fromSpec(address: string, stack: string, name: string, namespace: string, spec: JsonObject | undefined): NetworkPolicy {
  const ingress = blocks(spec, 'ingress');
  const egress = blocks(spec, 'egress');
  const declared = strings(spec, 'policy_types');
  // The API defaults policyTypes to Ingress, plus Egress when egress rules exist.
  const policyTypes = declared.length ? declared : ['Ingress', ...(egress.length ? ['Egress'] : [])];
  return { address, stack, name, namespace, podSelector: block(spec, 'pod_selector') ?? {}, policyTypes, ingress, egress };
}

export function networkPolicies(stack: StackDoc): NetworkPolicy[] {
  const typed = ofTypes(stack, typedKinds('network_policy')).map((r) => {
    const meta = metaOf(stack, r);
    return fromSpec(r.address, stack.name, meta.name, meta.namespace, block(r.attributes, 'spec'));
  });
  const custom = manifests(stack, 'NetworkPolicy')
    .filter((m) => m.apiVersion.startsWith('networking.k8s.io/'))
    .map((m) => fromSpec(m.resource.address, stack.name, m.name, resolveName(stack, m.namespace) ?? 'default', block(m.body, 'spec')));
  return [...typed, ...custom];
}

export function isEmptySelector(selector: JsonObject): boolean {
  return Object.keys(stringMap(selector, 'match_labels')).length === 0 && blocks(selector, 'match_expressions').length === 0;
}

export interface ServicePort {
  readonly port?: number;
  /** Number, or a container port name. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

export interface Service {
  readonly address: string;
  readonly name: string;
  readonly namespace: string;
  readonly type: string;
  readonly selector: Record<string, string>;
  readonly ports: readonly ServicePort[];
}

function portValue(value: unknown, key: string): number | string | undefined {
  const n = num(value, key);
  if (n !== undefined) return n;
  return str(value, key);
}

export function services(stack: StackDoc): Service[] {
  return ofTypes(stack, typedKinds('service')).map((r) => {
    const meta = metaOf(stack, r);
    const spec = block(r.attributes, 'spec');
    const ports = blocks(spec, 'port', 'ports').map((p) => {
      const port = num(p, 'port');
      const targetPort = portValue(p, 'target_port');
      const nodePort = num(p, 'node_port');
      return { ...(port !== undefined ? { port } : {}), ...(targetPort !== undefined ? { targetPort } : {}), ...(nodePort !== undefined ? { nodePort } : {}) };
    });
    return { address: r.address, name: meta.name, namespace: meta.namespace, type: str(spec, 'type') ?? 'ClusterIP', selector: stringMap(spec, 'selector'), ports };
  });
}

/** Ports of a NetworkPolicy rule: numbers or names; an empty list means "all ports". */
export function rulePorts(rule: JsonObject): (number | string)[] {
  return blocks(rule, 'ports')
    .map((p) => portValue(p, 'port'))
    .filter((p): p is number | string => p !== undefined);
}
