/**
 * Pod specs wherever the stacks declare them: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods and
 * ReplicationControllers of the kubernetes provider (snake_case, `container` blocks), the same kinds inside
 * `kubernetes_manifest` (camelCase, `containers` lists), and `podTemplate`s inside operators' custom resources. Field names follow the provider's schema
 * (node_modules/@cdktf/provider-kubernetes/lib/deployment-v1).
 */
import type { StackDoc, TfResource } from '../engine/model.js';
import { block, blocks, isObject, num, str, stringMap, type JsonObject } from '../engine/values.js';
import { manifests, metaOf, resolveName } from './objects.js';

/** Where the pod template sits inside each typed workload resource. */
const podSpecPaths: Readonly<Record<string, readonly string[]>> = {
  deployment: ['spec', 'template', 'spec'],
  stateful_set: ['spec', 'template', 'spec'],
  daemonset: ['spec', 'template', 'spec'],
  daemon_set: ['spec', 'template', 'spec'],
  replication_controller: ['spec', 'template', 'spec'],
  job: ['spec', 'template', 'spec'],
  cron_job: ['spec', 'job_template', 'spec', 'template', 'spec'],
  pod: ['spec'],
};

const manifestKinds: Readonly<Record<string, string>> = {
  Deployment: 'deployment',
  StatefulSet: 'stateful_set',
  DaemonSet: 'daemon_set',
  ReplicaSet: 'deployment',
  Job: 'job',
  CronJob: 'cron_job',
  Pod: 'pod',
};

export interface Container {
  readonly name: string;
  readonly init: boolean;
  readonly body: JsonObject;
}

export interface Workload {
  readonly resource: TfResource;
  /** Provider-style kind, e.g. `deployment`, `stateful_set`. */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pod template (what Services, NetworkPolicies and PDBs select). */
  readonly podLabels: Record<string, string>;
  readonly podSpec: JsonObject;
  /** `spec.replicas` when literal; undefined when unset or an expression. */
  readonly replicas?: number;
  readonly containers: readonly Container[];
  /**
   * A pod template inside an operator's custom resource (ECK `podTemplate`, ...): the operator merges it with its
   * own defaults (image, probes, resources, labels), so rules judge those fields only where the template sets them.
   */
  readonly partial: boolean;
}

function kindOfType(type: string): string | undefined {
  const m = /^kubernetes_([a-z_]+?)(?:_v\d+)?$/.exec(type);
  return m?.[1] && m[1] in podSpecPaths ? m[1] : undefined;
}

/** Follows a path of (possibly list-wrapped) blocks; returns the objects along the way. */
function walk(root: JsonObject, path: readonly string[]): JsonObject[] {
  const trail: JsonObject[] = [];
  let node: JsonObject | undefined = root;
  for (const key of path) {
    node = block(node, key);
    if (!node) return trail;
    trail.push(node);
  }
  return trail;
}

function containersOf(podSpec: JsonObject): Container[] {
  const main = blocks(podSpec, 'container', 'containers').map((body) => ({ name: str(body, 'name') ?? '?', init: false, body }));
  const init = blocks(podSpec, 'init_container', 'initContainers').map((body) => ({ name: str(body, 'name') ?? '?', init: true, body }));
  return [...main, ...init];
}

function build(resource: TfResource, kind: string, root: JsonObject, meta: { name: string; namespace: string }): Workload | undefined {
  const path = podSpecPaths[kind] ?? [];
  const trail = walk(root, path);
  if (trail.length !== path.length) return undefined;
  const podSpec = trail[trail.length - 1] as JsonObject;
  // The template's metadata is the sibling of the pod spec: spec.template.metadata.
  const template = path.length > 1 ? trail[trail.length - 2] : root;
  const podLabels = stringMap(block(template, 'metadata'), 'labels');
  const replicas = num(trail[0], 'replicas');
  return {
    resource,
    kind,
    name: meta.name,
    namespace: meta.namespace,
    podLabels,
    podSpec,
    ...(replicas !== undefined ? { replicas } : {}),
    containers: containersOf(podSpec),
    partial: false,
  };
}

/** Every `podTemplate` object inside a custom resource's spec (ECK nodeSets[].podTemplate, daemonSet.podTemplate, ...). */
function podTemplates(value: unknown, path: string, depth = 0): { path: string; template: JsonObject }[] {
  if (depth > 6) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => podTemplates(v, `${path}[${i}]`, depth + 1));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'podTemplate' && isObject(v) ? [{ path: `${path}.${k}`, template: v }] : podTemplates(v, `${path}.${k}`, depth + 1),
  );
}

/** Every workload of a stack, typed resources and manifests alike. */
export function workloads(stack: StackDoc): Workload[] {
  const out: Workload[] = [];
  for (const resource of stack.resources) {
    const kind = kindOfType(resource.type);
    if (!kind) continue;
    const meta = metaOf(stack, resource);
    const w = build(resource, kind, resource.attributes, meta);
    if (w) out.push(w);
  }
  for (const m of manifests(stack)) {
    const kind = manifestKinds[m.kind];
    const namespace = resolveName(stack, m.namespace) ?? 'default';
    if (kind) {
      const w = build(m.resource, kind, m.body, { name: m.name, namespace });
      if (w) out.push(w);
      continue;
    }
    for (const { path, template } of podTemplates(block(m.body, 'spec'), 'spec')) {
      const podSpec = block(template, 'spec');
      if (!podSpec) continue;
      out.push({
        resource: m.resource,
        kind: 'pod_template',
        name: `${m.kind} ${m.name} ${path}`,
        namespace,
        podLabels: stringMap(block(template, 'metadata'), 'labels'),
        podSpec,
        containers: containersOf(podSpec),
        partial: true,
      });
    }
  }
  return out;
}

/** The label and name conventions that mark the inference service (as opposed to Redis or add-ons). */
export function isInferenceWorkload(w: Workload): boolean {
  const names = [w.name, w.podLabels['app.kubernetes.io/name'], w.podLabels['app'], w.podLabels['app.kubernetes.io/component']];
  if (names.some((n) => n !== undefined && /inference/.test(n))) return true;
  return w.containers.some((c) => 'nvidia.com/gpu' in stringMap(block(c.body, 'resources'), 'limits'));
}

/** The canary track: label `track=canary` (the metric label of the same name) or a name ending in `canary`. */
export function isCanary(w: Workload): boolean {
  return w.podLabels['track'] === 'canary' || /(^|-)canary$/.test(w.name);
}
