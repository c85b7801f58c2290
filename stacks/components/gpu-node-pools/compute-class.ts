/**
 * GKE custom ComputeClass: one class listing every pool's machine types in priority order, with node
 * auto-provisioning creating the node pools on demand
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/create-custom-compute-class).
 */
import { findInstanceType, gpus } from '../../../policies/catalog/gpus.js';
import type { GpuNodePoolSpec } from '../../environments/schema/types.js';
import type { KubeObject } from '../../lib/manifest.js';
import { gpuClassName } from './scheduling.js';

export function computeClass(pools: readonly GpuNodePoolSpec[]): KubeObject {
  const priorities = pools.flatMap((pool) =>
    pool.instanceTypes.map((machineType) => {
      const type = findInstanceType('gcp', machineType);
      const accelerator = type ? gpus[type.gpu]?.gkeAccelerator : undefined;
      if (!type || !accelerator) throw new Error(`GKE machine type "${machineType}" has no GKE accelerator in the GPU catalog`);
      return { machineType, spot: pool.capacityType === 'spot', gpu: { type: accelerator, count: type.gpusPerNode } };
    }),
  );
  return {
    apiVersion: 'cloud.google.com/v1',
    kind: 'ComputeClass',
    metadata: {
      name: gpuClassName,
      annotations: {
        'blueprint.dev/cloud': 'gcp',
        'blueprint.dev/max-nodes': String(pools.reduce((sum, p) => sum + p.maxNodes, 0)),
      },
    },
    spec: {
      priorities,
      nodePoolAutoCreation: { enabled: true },
      // Never fall back to a machine outside the list: that would break the ≥ 80 GB rule.
      whenUnsatisfiable: 'DoNotScaleUp',
    },
  };
}
