/**
 * How a pod lands on the GPU pools: one node selector and one toleration that work for every pool of an
 * environment, whatever the cloud. Karpenter pools carry the `gpuClassLabel`; on GKE the ComputeClass name is the
 * selector (https://cloud.google.com/kubernetes-engine/docs/concepts/about-custom-compute-classes).
 */
import type { Cloud } from '../../../policies/catalog/gpus.js';

/** Label every GPU node of this blueprint carries (Karpenter) and the ComputeClass name (GKE). */
export const gpuClassLabel = 'blueprint.dev/gpu-class';
/** Pools and compute classes that offer ≥ 80 GB GPUs. */
export const gpuClassName = 'gpu-80gb';
/** Taint key on GPU nodes: Karpenter pools set it; GKE sets `nvidia.com/gpu=present:NoSchedule` itself. */
export const gpuTaintKey = 'nvidia.com/gpu';

export interface GpuScheduling {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly { key: string; operator: string; effect: string }[];
}

export function gpuScheduling(cloud: Cloud): GpuScheduling {
  const nodeSelector: Record<string, string> = cloud === 'gcp' ? { 'cloud.google.com/compute-class': gpuClassName } : { [gpuClassLabel]: gpuClassName };
  return { nodeSelector, tolerations: [{ key: gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' }] };
}
