/**
 * SSD storage classes per cloud. Two kinds:
 * - `ssd`: block SSD for single-writer volumes (Elasticsearch, Prometheus);
 * - `model-store-ssd`: a shared SSD file system, so every replica on every node can mount the model store
 *   read-only at once (block SSDs attach to one node only).
 * Both bind on first consumer (the volume lands in the zone of the GPU node) and allow expansion.
 */
import type { Cloud } from '../../../policies/catalog/gpus.js';

export interface StorageClassSpec {
  readonly name: string;
  readonly provisioner: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly reclaimPolicy: 'Delete' | 'Retain';
}

export const blockSsdClassName = 'ssd';
export const modelStoreClassName = 'model-store-ssd';

export interface FileSystemNetwork {
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
}

export function blockSsdClass(cloud: Cloud): StorageClassSpec {
  const byCloud: Record<Cloud, Omit<StorageClassSpec, 'name' | 'reclaimPolicy'>> = {
    aws: { provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true' } },
    gcp: { provisioner: 'pd.csi.storage.gke.io', parameters: { type: 'pd-ssd' } },
    azure: { provisioner: 'disk.csi.azure.com', parameters: { skuName: 'Premium_LRS' } },
  };
  return { name: blockSsdClassName, reclaimPolicy: 'Delete', ...byCloud[cloud] };
}

/** Shared SSD file systems: FSx for Lustre (SSD), Filestore zonal (SSD), Azure Files premium (SSD) over NFS. */
export function modelStoreClass(cloud: Cloud, network?: FileSystemNetwork): StorageClassSpec {
  if (cloud === 'aws') {
    if (!network) throw new Error('the aws model store needs modelStoreNetwork (subnetId, securityGroupIds)');
    return {
      name: modelStoreClassName,
      provisioner: 'fsx.csi.aws.com',
      // PERSISTENT_2 is SSD-only; sizes are 1.2 TiB or multiples of 2.4 TiB.
      parameters: {
        deploymentType: 'PERSISTENT_2',
        perUnitStorageThroughput: '250',
        subnetId: network.subnetId,
        securityGroupIds: network.securityGroupIds.join(','),
      },
      reclaimPolicy: 'Retain',
    };
  }
  if (cloud === 'gcp') {
    return { name: modelStoreClassName, provisioner: 'filestore.csi.storage.gke.io', parameters: { tier: 'zonal' }, reclaimPolicy: 'Retain' };
  }
  return {
    name: modelStoreClassName,
    provisioner: 'file.csi.azure.com',
    parameters: { skuName: 'Premium_LRS', protocol: 'nfs' },
    reclaimPolicy: 'Retain',
  };
}
