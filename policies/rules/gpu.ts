/**
 * GPU node pools may only offer GPUs with at least `minGpuMemoryGiB` (seed: ≥ 80 GB), judged against the
 * catalog in policies/catalog/gpus.ts. An instance type or accelerator the catalog does not know is a violation:
 * a pool nobody can vouch for is not allowed to carry the model.
 *
 * Pools are Karpenter NodePools (EKS, AKS node auto-provisioning), GKE ComputeClasses, and GPU selections in
 * pod specs (node_selector on instance type or accelerator).
 */
import { gpus, instanceTypes, minGpuMemoryGiB, type Cloud } from '../catalog/gpus.js';
import type { Rule, Verdict } from '../engine/rule.js';
import { block, blocks, str, strings, stringMap, type JsonObject } from '../engine/values.js';
import { eachWorkload } from '../kubernetes/containers.js';
import { manifests } from '../kubernetes/objects.js';
import { repo, seed } from './sources.js';

const instanceTypeKeys = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type', 'karpenter.azure.com/sku-name'];
const gkeAcceleratorKey = 'cloud.google.com/gke-accelerator';
const gkeMachineTypeKey = 'cloud.google.com/machine-type';

/** Memory of an instance type, searching the given cloud first and every cloud when the cloud is unknown. */
function instanceMemory(name: string, cloud?: Cloud): number | undefined {
  const type = instanceTypes.find((t) => t.name === name && (!cloud || t.cloud === cloud));
  return type ? gpus[type.gpu]?.memoryGiB : undefined;
}

/** Memory of a GKE accelerator (`nvidia-h100-80gb`). */
function acceleratorMemory(accelerator: string): number | undefined {
  return Object.values(gpus).find((g) => g.gkeAccelerator === accelerator)?.memoryGiB;
}

/** The smallest memory of every GPU sold under a short name (`a100` is 40 or 80 GB, so it counts as 40). */
function gpuNameMemory(name: string): number | undefined {
  const sizes = Object.values(gpus).filter((g) => g.name === name.toLowerCase()).map((g) => g.memoryGiB);
  return sizes.length ? Math.min(...sizes) : undefined;
}

interface Offer {
  readonly what: string;
  readonly memory?: number;
}

function judge(offers: readonly Offer[]): { ok: boolean; message: string } {
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
      if (instanceTypeKeys.includes(key)) offers.push({ what: v, ...opt(instanceMemory(v, cloud)) });
      else if (key === 'karpenter.k8s.aws/instance-gpu-name' || key === 'karpenter.azure.com/sku-gpu-name') offers.push({ what: `gpu ${v}`, ...opt(gpuNameMemory(v)) });
    }
  }
  // When both an instance-type list and a GPU-name list are given, the instance types are the precise offer.
  const precise = offers.filter((o) => !o.what.startsWith('gpu '));
  return precise.length ? precise : offers;
}

function opt(memory: number | undefined): { memory?: number } {
  return memory === undefined ? {} : { memory };
}

const nodePoolMemory: Rule = {
  id: 'gpu.nodepool-memory',
  rationale: `Karpenter GPU NodePools may only offer instance types whose GPU has ≥ ${minGpuMemoryGiB} GiB (the model and its batches must fit).`,
  sources: [seed('GPU node pools with ≥ 80 GB per GPU', repo.gpuCatalog), { title: 'Karpenter NodePool requirements', url: 'https://karpenter.sh/docs/concepts/nodepools/' }],
  refs: [],
  fix: 'Restrict the NodePool with node.kubernetes.io/instance-type In [...] to catalog types with ≥ 80 GB GPUs (p5, p4de, NC A100 v4, ND H100 v5, ...).',
  check: (ctx) => {
    const out: Verdict[] = [];
    for (const m of manifests(ctx.stack, 'NodePool').filter((m) => m.apiVersion.startsWith('karpenter.sh/'))) {
      const template = block(block(m.body, 'spec'), 'template');
      const templateSpec = block(template, 'spec');
      const requirements = blocks(templateSpec, 'requirements');
      const labels = stringMap(block(template, 'metadata'), 'labels');
      if (!isGpuNodePool(templateSpec, labels, requirements)) continue;
      const cloud = cloudOfNodeClass(block(templateSpec, 'node_class_ref'));
      const r = judge(nodePoolOffers(requirements, cloud));
      out.push({ resource: m.resource.address, detail: `NodePool ${m.name}`, ...r });
    }
    return out;
  },
};

const computeClassMemory: Rule = {
  id: 'gpu.computeclass-memory',
  rationale: `GKE ComputeClass priorities may only fall back to machine types / accelerators with ≥ ${minGpuMemoryGiB} GiB GPUs.`,
  sources: [seed('GPU node pools with ≥ 80 GB per GPU', repo.gpuCatalog), { title: 'GKE custom compute classes', url: 'https://cloud.google.com/kubernetes-engine/docs/concepts/about-custom-compute-classes' }],
  refs: [],
  fix: 'Give every priority a machineType (a3-highgpu-8g, a2-ultragpu-*) or gpu.type (nvidia-h100-80gb, nvidia-a100-80gb) from the catalog.',
  check: (ctx) => {
    const out: Verdict[] = [];
    for (const m of manifests(ctx.stack, 'ComputeClass')) {
      const priorities = blocks(block(m.body, 'spec'), 'priorities');
      const isGpu = priorities.some((p) => block(p, 'gpu') || instanceMemory(str(p, 'machine_type') ?? '', 'gcp') !== undefined) || /gpu/i.test(m.name);
      if (!isGpu) continue;
      const offers: Offer[] = [];
      const unbounded: string[] = [];
      priorities.forEach((p, i) => {
        const machine = str(p, 'machine_type');
        const accel = str(block(p, 'gpu'), 'type');
        if (machine) offers.push({ what: machine, ...opt(instanceMemory(machine, 'gcp')) });
        else if (accel) offers.push({ what: accel, ...opt(acceleratorMemory(accel)) });
        else unbounded.push(`priority ${i + 1} (${str(p, 'machine_family') ?? 'no machine type'})`);
      });
      const r = judge(offers);
      const ok = r.ok && unbounded.length === 0;
      out.push({ resource: m.resource.address, detail: `ComputeClass ${m.name}`, ok, message: unbounded.length ? `${unbounded.join(', ')} allow any GPU; ${r.message}` : r.message });
    }
    return out;
  },
};

const podGpuSelection: Rule = {
  id: 'gpu.workload-selector',
  rationale: 'A pod that selects its GPU node by instance type or accelerator must select one with enough memory.',
  sources: [seed('GPU node pools with ≥ 80 GB per GPU', repo.gpuCatalog)],
  refs: [],
  fix: 'Point node_selector (instance-type / gke-accelerator / machine-type) at a catalog entry with ≥ 80 GB GPUs.',
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const selector = stringMap(w.podSpec, 'node_selector');
      const offers: Offer[] = [];
      for (const [k, v] of Object.entries(selector)) {
        if (instanceTypeKeys.includes(k) || k === gkeMachineTypeKey) offers.push({ what: v, ...opt(instanceMemory(v)) });
        if (k === gkeAcceleratorKey) offers.push({ what: v, ...opt(acceleratorMemory(v)) });
        if (k === 'karpenter.k8s.aws/instance-gpu-name') offers.push({ what: `gpu ${v}`, ...opt(gpuNameMemory(v)) });
      }
      return offers.length ? judge(offers) : undefined;
    }),
};

/** GPU count per node is bounded by the catalog: a pod asking for more GPUs than any allowed node has never schedules. */
export function maxGpusPerNode(): number {
  return Math.max(...instanceTypes.filter((t) => (gpus[t.gpu]?.memoryGiB ?? 0) >= minGpuMemoryGiB).map((t) => t.gpusPerNode));
}

const gpuRequestFits: Rule = {
  id: 'gpu.request-fits-node',
  rationale: 'A container asking for more nvidia.com/gpu than any ≥ 80 GB node carries stays Pending forever.',
  sources: [seed('GPU catalog', repo.gpuCatalog)],
  refs: [],
  fix: `Request between 1 and ${maxGpusPerNode()} nvidia.com/gpu per container, as a whole number.`,
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const requests = w.containers
        .map((c) => stringMap(block(c.body, 'resources'), 'limits')['nvidia.com/gpu'])
        .filter((v): v is string => v !== undefined)
        .map(Number);
      if (requests.length === 0) return undefined;
      const bad = requests.filter((n) => !Number.isInteger(n) || n < 1 || n > maxGpusPerNode());
      return { ok: bad.length === 0, message: bad.length ? `nvidia.com/gpu ${bad.join(', ')} does not fit a node (max ${maxGpusPerNode()})` : `nvidia.com/gpu ${requests.join(', ')}` };
    }),
};

export const gpuRules: readonly Rule[] = [nodePoolMemory, computeClassMemory, podGpuSelection, gpuRequestFits];
