/**
 * GPU node pools may only offer GPUs with at least `minGpuMemoryGiB` (seed: ≥ 80 GB), and the pods that use GPUs
 * must be placed on such pools. Pool discovery and the catalog judgement live in kubernetes/gpu-pools.ts.
 */
import { gpus, instanceTypes, minGpuMemoryGiB } from '../catalog/gpus.js';
import type { Rule, Verdict } from '../engine/rule.js';
import { block, stringMap } from '../engine/values.js';
import { eachWorkload } from '../kubernetes/containers.js';
import { acceleratorMemory, gkeAcceleratorKey, gkeMachineTypeKey, gpuNameKeys, gpuNameMemory, gpuPools, instanceMemory, instanceTypeKeys, judge, offer, type Offer, type PoolKind } from '../kubernetes/gpu-pools.js';
import { repo, seed } from './sources.js';

const catalog = seed('GPU node pools with ≥ 80 GB per GPU', repo.gpuCatalog);

function poolRule(id: string, kind: PoolKind, rationale: string, fix: string, extra: Rule['sources']): Rule {
  return {
    id,
    rationale,
    sources: [catalog, ...extra],
    refs: [],
    fix,
    check: (ctx) => gpuPools(ctx.stack).filter((p) => p.kind === kind).map((p): Verdict => ({ resource: p.address, detail: kind === 'cloud' ? p.name : `${kind} ${p.name}`, ok: p.ok, message: p.message })),
  };
}

const nodePoolMemory = poolRule(
  'gpu.nodepool-memory',
  'NodePool',
  `Karpenter GPU NodePools may only offer instance types whose GPU has ≥ ${minGpuMemoryGiB} GiB (the model and its batches must fit).`,
  'Restrict the NodePool with node.kubernetes.io/instance-type In [...] to catalog types with ≥ 80 GB GPUs (p5, p4de, NC A100 v4, ND H100 v5, ...).',
  [{ title: 'Karpenter NodePool requirements', url: 'https://karpenter.sh/docs/concepts/nodepools/' }],
);

const computeClassMemory = poolRule(
  'gpu.computeclass-memory',
  'ComputeClass',
  `GKE ComputeClass priorities may only fall back to machine types / accelerators with ≥ ${minGpuMemoryGiB} GiB GPUs.`,
  'Give every priority a machineType (a3-highgpu-8g, a2-ultragpu-*) or gpu.type (nvidia-h100-80gb, nvidia-a100-80gb) from the catalog.',
  [{ title: 'GKE custom compute classes', url: 'https://cloud.google.com/kubernetes-engine/docs/concepts/about-custom-compute-classes' }],
);

const cloudNodePoolMemory = poolRule(
  'gpu.cloud-node-pool-memory',
  'cloud',
  `GKE node pools, EKS node groups and AKS node pools with GPUs may only use types whose GPU has ≥ ${minGpuMemoryGiB} GiB.`,
  'Use a catalog machine type / accelerator with ≥ 80 GB GPUs (a3-highgpu-8g + nvidia-h100-80gb, p5.48xlarge, Standard_ND96isr_H100_v5, ...).',
  [],
);

/** Offers a node selector pins directly (instance type, accelerator, GPU name). */
function hardwareOffers(selector: Readonly<Record<string, string>>): Offer[] {
  const offers: Offer[] = [];
  for (const [k, v] of Object.entries(selector)) {
    if (instanceTypeKeys.includes(k) || k === gkeMachineTypeKey) offers.push(offer(v, instanceMemory(v)));
    if (k === gkeAcceleratorKey) offers.push(offer(v, acceleratorMemory(v)));
    if (gpuNameKeys.includes(k)) offers.push(offer(`gpu ${v}`, gpuNameMemory(v)));
  }
  return offers;
}

const podGpuSelection: Rule = {
  id: 'gpu.workload-selector',
  rationale: 'A pod that selects its GPU node by instance type or accelerator must select one with enough memory.',
  sources: [catalog],
  refs: [],
  fix: 'Point node_selector (instance-type / gke-accelerator / machine-type) at a catalog entry with ≥ 80 GB GPUs.',
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const offers = hardwareOffers(stringMap(w.podSpec, 'node_selector'));
      return offers.length ? judge(offers) : undefined;
    }),
};

const gpuLimit = (limits: Readonly<Record<string, string>>): string | undefined => limits['nvidia.com/gpu'];

const placement: Rule = {
  id: 'gpu.workload-placement',
  rationale: 'Pools with ≥ 80 GB GPUs only help if GPU pods cannot land elsewhere: their node selector must match only such pools.',
  sources: [catalog, { title: 'Kubernetes: assigning pods to nodes (nodeSelector)', url: 'https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodeselector' }],
  refs: [],
  fix: 'Give GPU pods a node_selector that only the ≥ 80 GB pools carry (e.g. their pool label, karpenter.sh/nodepool or cloud.google.com/compute-class).',
  check: (ctx) => {
    const pools = ctx.environmentStacks.flatMap((s) => gpuPools(s));
    return eachWorkload(ctx, (w) => {
      if (w.partial || !w.containers.some((c) => gpuLimit(stringMap(block(c.body, 'resources'), 'limits')))) return undefined;
      const selector = stringMap(w.podSpec, 'node_selector');
      if (hardwareOffers(selector).length) return { ok: true, message: 'pinned to hardware by node selector (judged by gpu.workload-selector)' };
      const pairs = Object.entries(selector);
      if (pairs.length === 0) return { ok: false, message: 'GPU pod has no node_selector: it can land on any GPU node' };
      const matched = pools.filter((p) => pairs.every(([k, v]) => p.nodeLabels[k] === v));
      const shown = pairs.map(([k, v]) => `${k}=${v}`).join(',');
      if (matched.length === 0) return { ok: false, message: `node_selector ${shown} matches no GPU pool declared in this environment` };
      const bad = matched.filter((p) => !p.ok);
      return bad.length
        ? { ok: false, message: `node_selector ${shown} also matches ${bad.map((p) => p.name).join(', ')}, which fail the GPU memory rule` }
        : { ok: true, message: `runs on ${matched.map((p) => `${p.kind} ${p.name}`).join(', ')}` };
    });
  },
};

/** GPU count per node is bounded by the catalog: a pod asking for more GPUs than any allowed node has never schedules. */
export function maxGpusPerNode(): number {
  return Math.max(...instanceTypes.filter((t) => (gpus[t.gpu]?.memoryGiB ?? 0) >= minGpuMemoryGiB).map((t) => t.gpusPerNode));
}

const gpuRequestFits: Rule = {
  id: 'gpu.request-fits-node',
  rationale: 'A container asking for more nvidia.com/gpu than any ≥ 80 GB node carries stays Pending forever.',
  sources: [catalog],
  refs: [],
  fix: `Request between 1 and ${maxGpusPerNode()} nvidia.com/gpu per container, as a whole number.`,
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const requests = w.containers
        .map((c) => gpuLimit(stringMap(block(c.body, 'resources'), 'limits')))
        .filter((v): v is string => v !== undefined)
        .map(Number);
      if (requests.length === 0) return undefined;
      const bad = requests.filter((n) => !Number.isInteger(n) || n < 1 || n > maxGpusPerNode());
      return { ok: bad.length === 0, message: bad.length ? `nvidia.com/gpu ${bad.join(', ')} does not fit a node (max ${maxGpusPerNode()})` : `nvidia.com/gpu ${requests.join(', ')}` };
    }),
};

export const gpuRules: readonly Rule[] = [nodePoolMemory, computeClassMemory, cloudNodePoolMemory, podGpuSelection, placement, gpuRequestFits];
