/**
 * Kubernetes objects in Terraform JSON: the typed resources of the hashicorp/kubernetes provider
 * (`kubernetes_network_policy_v1`, ...) and custom resources declared through `kubernetes_manifest`.
 */
import type { StackDoc, TfResource } from '../engine/model.js';
import { block, field, isObject, str, stringMap, type JsonObject } from '../engine/values.js';

/** The typed resource names of one Kubernetes kind, e.g. `['kubernetes_service_v1', 'kubernetes_service']`. */
export function typedKinds(base: string): string[] {
  return [`kubernetes_${base}_v1`, `kubernetes_${base}`];
}

export function ofTypes(stack: StackDoc, types: readonly string[]): TfResource[] {
  return stack.resources.filter((r) => types.includes(r.type));
}

export interface ManifestObject {
  readonly resource: TfResource;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The whole object (`manifest`), camelCase as in YAML. */
  readonly body: JsonObject;
}

/** The custom (or plain) objects declared with `kubernetes_manifest`, optionally filtered by kind. */
export function manifests(stack: StackDoc, kind?: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const resource of stack.resources) {
    if (resource.type !== 'kubernetes_manifest') continue;
    const body = field(resource.attributes, 'manifest');
    if (!isObject(body)) continue;
    const k = str(body, 'kind') ?? '';
    if (kind && k !== kind) continue;
    const metadata = block(body, 'metadata');
    const namespace = str(metadata, 'namespace');
    out.push({
      resource,
      apiVersion: str(body, 'apiVersion') ?? '',
      kind: k,
      name: str(metadata, 'name') ?? resource.name,
      ...(namespace !== undefined ? { namespace } : {}),
      body,
    });
  }
  return out;
}

/**
 * Resolves a reference to another resource's name, the way cdktf writes `namespace: ns.metadata.name`:
 * `${kubernetes_namespace_v1.inference.metadata[0].name}` (also `.metadata.0.name`) becomes that resource's
 * literal `metadata.name`. Anything else is returned unchanged.
 */
export function resolveName(stack: StackDoc, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata(?:\[0\]|\.0)?\.name\}$/.exec(value);
  if (!m) return value;
  const target = stack.resources.find((r) => r.type === m[1] && r.name === m[2]);
  const name = str(block(target?.attributes, 'metadata'), 'name');
  return name ?? value;
}

export interface Meta {
  readonly name: string;
  /** Literal namespace after resolving references; `default` when the resource does not set one. */
  readonly namespace: string;
  readonly namespaceSet: boolean;
  readonly labels: Record<string, string>;
}

/** Name, namespace and labels of a typed Kubernetes resource. */
export function metaOf(stack: StackDoc, resource: TfResource): Meta {
  const metadata = block(resource.attributes, 'metadata');
  const raw = str(metadata, 'namespace');
  return {
    name: resolveName(stack, str(metadata, 'name')) ?? resource.name,
    namespace: resolveName(stack, raw) ?? 'default',
    namespaceSet: raw !== undefined && raw !== '',
    labels: stringMap(metadata, 'labels'),
  };
}
