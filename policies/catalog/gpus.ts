/**
 * Catalog of data-center GPUs and the cloud instance types that carry them.
 *
 * The stacks build GPU node pools from it and the policies check node pools against it: a pool may only offer
 * instance types whose GPU has at least `minGpuMemoryGiB` of memory. Memory figures are the vendors' data sheets;
 * instance types are the clouds' published accelerator families.
 *
 * Note for readers of the original brief: an NVIDIA V100 has 16 or 32 GB, so no V100 meets the ≥ 80 GB rule.
 */
export type Cloud = 'aws' | 'azure' | 'gcp';

export interface GpuModel {
  /** Short name, as used by Karpenter's `karpenter.k8s.aws/instance-gpu-name` (lower case). */
  readonly name: string;
  /** Marketing name. */
  readonly displayName: string;
  /** Memory per GPU in GiB (the data sheet's GB figure). */
  readonly memoryGiB: number;
  /** GKE accelerator type (`cloud.google.com/gke-accelerator`), where GKE offers it. */
  readonly gkeAccelerator?: string;
}

export interface InstanceType {
  readonly cloud: Cloud;
  /** The provider's instance / VM size / machine type name. */
  readonly name: string;
  /** Key into `gpus`. */
  readonly gpu: string;
  readonly gpusPerNode: number;
}

/** The rule: GPUs must have at least this much memory (seed: ≥ 80 GB). */
export const minGpuMemoryGiB = 80;

export const gpus: Readonly<Record<string, GpuModel>> = {
  t4: { name: 't4', displayName: 'NVIDIA T4', memoryGiB: 16, gkeAccelerator: 'nvidia-tesla-t4' },
  v100: { name: 'v100', displayName: 'NVIDIA V100 (32 GB at most)', memoryGiB: 32, gkeAccelerator: 'nvidia-tesla-v100' },
  a10g: { name: 'a10g', displayName: 'NVIDIA A10G', memoryGiB: 24 },
  l4: { name: 'l4', displayName: 'NVIDIA L4', memoryGiB: 24, gkeAccelerator: 'nvidia-l4' },
  'a100-40gb': { name: 'a100', displayName: 'NVIDIA A100 40GB', memoryGiB: 40, gkeAccelerator: 'nvidia-tesla-a100' },
  'a100-80gb': { name: 'a100', displayName: 'NVIDIA A100 80GB', memoryGiB: 80, gkeAccelerator: 'nvidia-a100-80gb' },
  h100: { name: 'h100', displayName: 'NVIDIA H100 80GB', memoryGiB: 80, gkeAccelerator: 'nvidia-h100-80gb' },
  h200: { name: 'h200', displayName: 'NVIDIA H200 141GB', memoryGiB: 141, gkeAccelerator: 'nvidia-h200-141gb' },
};

export const instanceTypes: readonly InstanceType[] = [
  // AWS
  { cloud: 'aws', name: 'g4dn.xlarge', gpu: 't4', gpusPerNode: 1 },
  { cloud: 'aws', name: 'p3.2xlarge', gpu: 'v100', gpusPerNode: 1 },
  { cloud: 'aws', name: 'p3dn.24xlarge', gpu: 'v100', gpusPerNode: 8 },
  { cloud: 'aws', name: 'g5.xlarge', gpu: 'a10g', gpusPerNode: 1 },
  { cloud: 'aws', name: 'g6.xlarge', gpu: 'l4', gpusPerNode: 1 },
  { cloud: 'aws', name: 'p4d.24xlarge', gpu: 'a100-40gb', gpusPerNode: 8 },
  { cloud: 'aws', name: 'p4de.24xlarge', gpu: 'a100-80gb', gpusPerNode: 8 },
  { cloud: 'aws', name: 'p5.48xlarge', gpu: 'h100', gpusPerNode: 8 },
  { cloud: 'aws', name: 'p5e.48xlarge', gpu: 'h200', gpusPerNode: 8 },
  { cloud: 'aws', name: 'p5en.48xlarge', gpu: 'h200', gpusPerNode: 8 },
  // Azure
  { cloud: 'azure', name: 'Standard_NC6s_v3', gpu: 'v100', gpusPerNode: 1 },
  { cloud: 'azure', name: 'Standard_NV36ads_A10_v5', gpu: 'a10g', gpusPerNode: 1 },
  { cloud: 'azure', name: 'Standard_ND96asr_v4', gpu: 'a100-40gb', gpusPerNode: 8 },
  { cloud: 'azure', name: 'Standard_NC24ads_A100_v4', gpu: 'a100-80gb', gpusPerNode: 1 },
  { cloud: 'azure', name: 'Standard_NC48ads_A100_v4', gpu: 'a100-80gb', gpusPerNode: 2 },
  { cloud: 'azure', name: 'Standard_NC96ads_A100_v4', gpu: 'a100-80gb', gpusPerNode: 4 },
  { cloud: 'azure', name: 'Standard_ND96amsr_A100_v4', gpu: 'a100-80gb', gpusPerNode: 8 },
  { cloud: 'azure', name: 'Standard_NC40ads_H100_v5', gpu: 'h100', gpusPerNode: 1 },
  { cloud: 'azure', name: 'Standard_ND96isr_H100_v5', gpu: 'h100', gpusPerNode: 8 },
  { cloud: 'azure', name: 'Standard_ND96isr_H200_v5', gpu: 'h200', gpusPerNode: 8 },
  // GCP
  { cloud: 'gcp', name: 'n1-standard-8', gpu: 't4', gpusPerNode: 1 },
  { cloud: 'gcp', name: 'g2-standard-8', gpu: 'l4', gpusPerNode: 1 },
  { cloud: 'gcp', name: 'a2-highgpu-1g', gpu: 'a100-40gb', gpusPerNode: 1 },
  { cloud: 'gcp', name: 'a2-ultragpu-1g', gpu: 'a100-80gb', gpusPerNode: 1 },
  { cloud: 'gcp', name: 'a2-ultragpu-8g', gpu: 'a100-80gb', gpusPerNode: 8 },
  { cloud: 'gcp', name: 'a3-highgpu-8g', gpu: 'h100', gpusPerNode: 8 },
  { cloud: 'gcp', name: 'a3-megagpu-8g', gpu: 'h100', gpusPerNode: 8 },
  { cloud: 'gcp', name: 'a3-ultragpu-8g', gpu: 'h200', gpusPerNode: 8 },
];

/** Looks up an instance type; undefined when the catalog does not know it (policies treat unknown as a violation). */
export function findInstanceType(cloud: Cloud, name: string): InstanceType | undefined {
  return instanceTypes.find((t) => t.cloud === cloud && t.name === name);
}

/** GPU memory of an instance type in GiB, or undefined when unknown. */
export function gpuMemoryOf(cloud: Cloud, name: string): number | undefined {
  const type = findInstanceType(cloud, name);
  return type ? gpus[type.gpu]?.memoryGiB : undefined;
}
