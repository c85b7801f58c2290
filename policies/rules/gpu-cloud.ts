/**
 * The GPU memory rule for node pools declared with the clouds' own Terraform providers, so the check also works
 * on Terraform JSON that another tool wrote: GKE node pools (machine type / guest accelerator), EKS managed node
 * groups (instance types) and AKS node pools (VM size). Same catalog, same threshold as gpu.nodepool-memory.
 */
import { gpus, instanceTypes, minGpuMemoryGiB, type Cloud } from '../catalog/gpus.js';
import type { Rule, Verdict } from '../engine/rule.js';
import { block, blocks, str, strings } from '../engine/values.js';
import { repo, seed } from './sources.js';

interface PoolOffer {
  readonly what: string;
  readonly memory?: number;
}

function memoryOf(cloud: Cloud, name: string): number | undefined {
  const t = instanceTypes.find((i) => i.cloud === cloud && i.name === name);
  return t ? gpus[t.gpu]?.memoryGiB : undefined;
}

function acceleratorMemory(type: string): number | undefined {
  return Object.values(gpus).find((g) => g.gkeAccelerator === type)?.memoryGiB;
}

/** What each pool resource offers; `gpu` false means the pool is not a GPU pool and is not judged. */
const readers: Readonly<Record<string, (a: Record<string, unknown>) => { gpu: boolean; offers: PoolOffer[] }>> = {
  google_container_node_pool: (a) => {
    const config = block(a, 'node_config');
    const machine = str(config, 'machine_type');
    const accelerators = blocks(config, 'guest_accelerator').map((g) => str(g, 'type') ?? '?');
    const offers: PoolOffer[] = [
      ...accelerators.map((t) => ({ what: t, ...opt(acceleratorMemory(t)) })),
      ...(machine && accelerators.length === 0 ? [{ what: machine, ...opt(memoryOf('gcp', machine)) }] : []),
    ];
    return { gpu: accelerators.length > 0 || (machine !== undefined && memoryOf('gcp', machine) !== undefined) || /^(a2|a3|g2)-/.test(machine ?? ''), offers };
  },
  aws_eks_node_group: (a) => {
    const types = strings(a, 'instance_types');
    const gpuAmi = /GPU|NVIDIA/i.test(str(a, 'ami_type') ?? '');
    return { gpu: gpuAmi || types.some((t) => memoryOf('aws', t) !== undefined || /^(p\d|g\d)/.test(t)), offers: types.map((t) => ({ what: t, ...opt(memoryOf('aws', t)) })) };
  },
  azurerm_kubernetes_cluster_node_pool: (a) => {
    const size = str(a, 'vm_size') ?? '';
    // Azure's N-series are the GPU sizes (NC, ND, NV).
    return { gpu: /^Standard_N[CDV]/i.test(size), offers: size ? [{ what: size, ...opt(memoryOf('azure', size)) }] : [] };
  },
};

function opt(memory: number | undefined): { memory?: number } {
  return memory === undefined ? {} : { memory };
}

const cloudNodePoolMemory: Rule = {
  id: 'gpu.cloud-node-pool-memory',
  rationale: `GKE node pools, EKS node groups and AKS node pools with GPUs may only use types whose GPU has ≥ ${minGpuMemoryGiB} GiB.`,
  sources: [seed('GPU node pools with ≥ 80 GB per GPU', repo.gpuCatalog)],
  refs: [],
  fix: 'Use a catalog machine type / accelerator with ≥ 80 GB GPUs (a3-highgpu-8g + nvidia-h100-80gb, p5.48xlarge, Standard_ND96isr_H100_v5, ...).',
  check: (ctx) =>
    ctx.stack.resources.flatMap((r): Verdict[] => {
      const read = readers[r.type];
      if (!read) return [];
      const { gpu, offers } = read(r.attributes);
      if (!gpu) return [];
      const bad = offers.filter((o) => o.memory === undefined || o.memory < minGpuMemoryGiB);
      const list = offers.map((o) => `${o.what} (${o.memory === undefined ? 'not in catalog' : `${o.memory} GiB`})`).join(', ');
      const ok = offers.length > 0 && bad.length === 0;
      return [{ resource: r.address, detail: '', ok, message: ok ? `offers ${list}` : `GPU pool offers ${list || 'no restricted type'}` }];
    }),
};

export const cloudGpuRules: readonly Rule[] = [cloudNodePoolMemory];
