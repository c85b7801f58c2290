/**
 * GPU node pools wherever a stack declares them — Karpenter NodePools (EKS, AKS node auto-provisioning), GKE
 * ComputeClasses, and the clouds' own node pool resources — each judged against the GPU catalog
 * (policies/catalog/gpus.ts): every GPU the pool can provision must have at least `minGpuMemoryGiB`. Unknown
 * instance types count as violations: a pool nobody can vouch for may not carry the model.
 *
 * Each pool also lists the node labels its nodes carry, so a workload's node selector can be matched to pools.
 */
import { gpus, instanceTypes, minGpuMemoryGiB, type Cloud } from '../catalog/gpus.js';
import type { StackDoc } from '../engine/model.js';
import { block, blocks, str, stringMap, strings, type JsonObject } from '../engine/values.js';
import { manifests } from './objects.js';

export type PoolKind = 'NodePool' | 'ComputeClass' | 'cloud';

export interface GpuPool {
  readonly address: string;
  readonly kind: PoolKind;
  readonly name: string;
  /** Labels every node of the pool carries (including the pool's own name label). */
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly ok: boolean;
  readonly message: string;
}

export interface Offer {
  readonly what: string;
  readonly memory?: number;
}

export const instanceTypeKeys = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type', 'karpenter.azure.com/sku-name'];
export const gkeAcceleratorKey = 'cloud.google.com/gke-accelerator';
export const gkeMachineTypeKey = 'cloud.google.com/machine-type';
export const gpuNameKeys = ['karpenter.k8s.aws/instance-gpu-name', 'karpenter.azure.com/sku-gpu-name'];

/** Memory of an instance type, in the given cloud or, when the cloud is unknown, in any. */
export function instanceMemory(name: string, cloud?: Cloud): number | undefined {
  const type = instanceTypes.find((t) => t.name === name && (!cloud || t.cloud === cloud));
  return type ? gpus[type.gpu]?.memoryGiB : undefined;
}

/** Memory of a GKE accelerator (`nvidia-h100-80gb`). */
export function acceleratorMemory(accelerator: string): number | undefined {
  return Object.values(gpus).find((g) => g.gkeAccelerator === accelerator)?.memoryGiB;
}

/** The smallest memory of every GPU sold under a short name (`a100` is 40 or 80 GB, so it counts as 40). */
export function gpuNameMemory(name: string): number | undefined {
  const sizes = Object.values(gpus).filter((g) => g.name === name.toLowerCase()).map((g) => g.memoryGiB);
  return sizes.length ? Math.min(...sizes) : undefined;
}

export function offer(what: string, memory: number | undefined): Offer {
  return memory === undefined ? { what } : { what, memory };
}

export function judge(offers: readonly Offer[]): { ok: boolean; message: string } {
  if (offers.length === 0) return { ok: false, message: 'GPU pool does not restrict the instance type or GPU; any GPU could be provisioned' };
  const bad = offers.filter((o) => o.memory === undefined || o.memory < minGpuMemoryGiB);
  const list = (os: readonly Offer[]): string => os.map((o) => `${o.what} (${o.memory === undefined ? 'not in catalog' : `${o.memory} GiB`})`).join(', ');
  return bad.length ? { ok: false, message: `offers GPUs below ${minGpuMemoryGiB} GiB or unknown: ${list(bad)}` } : { ok: true, message: `offers ${list(offers)}` };
}

function cloudOfNodeClass(ref: JsonObject | undefined): Cloud | undefined {
  const group = str(ref, 'group') ?? '';
  const kind = str(ref, 'kind') ?? '';
  if (group.includes('k8s.aws') || kind === 'EC2NodeClass') return 'aws';
  if (group.includes('azure') || kind === 'AKSNodeClass') return 'azure';
  return undefined;
}

/** A NodePool is a GPU pool when it taints, labels or requires anything GPU-related. */
function isGpuNodePool(templateSpec: JsonObject | undefined, labels: Record<string, string>, requirements: readonly JsonObject[]): boolean {
  const taints = blocks(templateSpec, 'taints').map((t) => str(t, 'key') ?? '');
  const keys = [...taints, ...Object.keys(labels), ...requirements.map((r) => str(r, 'key') ?? '')];
  return keys.some((k) => /gpu|accelerator/i.test(k)) || requirements.some((r) => strings(r, 'values').some((v) => instanceMemory(v) !== undefined));
}

function nodePoolOffers(requirements: readonly JsonObject[], cloud: Cloud | undefined): Offer[] {
  const offers: Offer[] = [];
  for (const r of requirements) {
    const key = str(r, 'key') ?? '';
    if (str(r, 'operator') !== 'In') continue;
    for (const v of strings(r, 'values')) {
      if (instanceTypeKeys.includes(key)) offers.push(offer(v, instanceMemory(v, cloud)));
      else if (gpuNameKeys.includes(key)) offers.push(offer(`gpu ${v}`, gpuNameMemory(v)));
    }
  }
  // When both an instance-type list and a GPU-name list are given, the instance types are the precise offer.
  const precise = offers.filter((o) => !o.what.startsWith('gpu '));
  return precise.length ? precise : offers;
}

function karpenterPools(stack: StackDoc): GpuPool[] {
  return manifests(stack, 'NodePool')
    .filter((m) => m.apiVersion.startsWith('karpenter.sh/'))
    .flatMap((m) => {
      const template = block(block(m.body, 'spec'), 'template');
      const templateSpec = block(template, 'spec');
      const requirements = blocks(templateSpec, 'requirements');
      const labels = stringMap(block(template, 'metadata'), 'labels');
      if (!isGpuNodePool(templateSpec, labels, requirements)) return [];
      const r = judge(nodePoolOffers(requirements, cloudOfNodeClass(block(templateSpec, 'node_class_ref'))));
      return [{ address: m.resource.address, kind: 'NodePool' as const, name: m.name, nodeLabels: { ...labels, 'karpenter.sh/nodepool': m.name }, ...r }];
    });
}

function computeClasses(stack: StackDoc): GpuPool[] {
  return manifests(stack, 'ComputeClass').flatMap((m) => {
    const priorities = blocks(block(m.body, 'spec'), 'priorities');
    const isGpu = priorities.some((p) => block(p, 'gpu') || instanceMemory(str(p, 'machine_type') ?? '', 'gcp') !== undefined) || /gpu/i.test(m.name);
    if (!isGpu) return [];
    const offers: Offer[] = [];
    const unbounded: string[] = [];
    priorities.forEach((p, i) => {
      const machine = str(p, 'machine_type');
      const accel = str(block(p, 'gpu'), 'type');
      if (machine) offers.push(offer(machine, instanceMemory(machine, 'gcp')));
      else if (accel) offers.push(offer(accel, acceleratorMemory(accel)));
      else unbounded.push(`priority ${i + 1} (${str(p, 'machine_family') ?? 'no machine type'})`);
    });
    const r = judge(offers);
    const message = unbounded.length ? `${unbounded.join(', ')} allow any GPU; ${r.message}` : r.message;
    return [{ address: m.resource.address, kind: 'ComputeClass' as const, name: m.name, nodeLabels: { 'cloud.google.com/compute-class': m.name }, ok: r.ok && unbounded.length === 0, message }];
  });
}

/** The clouds' own node pool resources: what they offer, whether they carry GPUs, and their nodes' labels. */
const cloudReaders: Readonly<Record<string, (a: JsonObject) => { gpu: boolean; offers: Offer[]; name: string; labels: Record<string, string> }>> = {
  google_container_node_pool: (a) => {
    const config = block(a, 'node_config');
    const machine = str(config, 'machine_type');
    const accelerators = blocks(config, 'guest_accelerator').map((g) => str(g, 'type') ?? '?');
    const offers = [...accelerators.map((t) => offer(t, acceleratorMemory(t))), ...(machine && accelerators.length === 0 ? [offer(machine, instanceMemory(machine, 'gcp'))] : [])];
    const name = str(a, 'name') ?? '';
    const gpu = accelerators.length > 0 || instanceMemory(machine ?? '', 'gcp') !== undefined || /^(a2|a3|g2)-/.test(machine ?? '');
    return { gpu, offers, name, labels: { ...stringMap(config, 'labels'), 'cloud.google.com/gke-nodepool': name } };
  },
  aws_eks_node_group: (a) => {
    const types = strings(a, 'instance_types');
    const name = str(a, 'node_group_name') ?? '';
    const gpu = /GPU|NVIDIA/i.test(str(a, 'ami_type') ?? '') || types.some((t) => instanceMemory(t, 'aws') !== undefined || /^(p\d|g\d)/.test(t));
    return { gpu, offers: types.map((t) => offer(t, instanceMemory(t, 'aws'))), name, labels: { ...stringMap(a, 'labels'), 'eks.amazonaws.com/nodegroup': name } };
  },
  azurerm_kubernetes_cluster_node_pool: (a) => {
    const size = str(a, 'vm_size') ?? '';
    const name = str(a, 'name') ?? '';
    // Azure's N-series are the GPU sizes (NC, ND, NV).
    return { gpu: /^Standard_N[CDV]/i.test(size), offers: size ? [offer(size, instanceMemory(size, 'azure'))] : [], name, labels: { ...stringMap(a, 'node_labels'), 'kubernetes.azure.com/agentpool': name } };
  },
};

function cloudPools(stack: StackDoc): GpuPool[] {
  return stack.resources.flatMap((r) => {
    const read = cloudReaders[r.type];
    if (!read) return [];
    const { gpu, offers, name, labels } = read(r.attributes);
    return gpu ? [{ address: r.address, kind: 'cloud' as const, name, nodeLabels: labels, ...judge(offers) }] : [];
  });
}

/** Every GPU pool of a stack, judged. */
export function gpuPools(stack: StackDoc): GpuPool[] {
  return [...karpenterPools(stack), ...computeClasses(stack), ...cloudPools(stack)];
}
