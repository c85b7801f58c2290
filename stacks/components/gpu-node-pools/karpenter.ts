/**
 * Karpenter NodePools for EKS (self-managed Karpenter, EC2NodeClass) and AKS node auto-provisioning
 * (AKSNodeClass). API: karpenter.sh/v1 (https://karpenter.sh/docs/concepts/nodepools/).
 */
import { findInstanceType, type Cloud } from '../../../policies/catalog/gpus.js';
import type { GpuNodePoolSpec, NodeClassSpec } from '../../environments/schema/types.js';
import type { KubeObject } from '../../lib/manifest.js';
import { gpuClassLabel, gpuClassName, gpuTaintKey } from './scheduling.js';

const nodeClassName = 'gpu';

function nodeClassRef(cloud: Cloud): { group: string; kind: string; name: string } {
  return cloud === 'aws'
    ? { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: nodeClassName }
    : { group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: nodeClassName };
}

/** The node class every GPU NodePool refers to. */
export function nodeClass(cloud: Cloud, spec: NodeClassSpec): KubeObject {
  if (cloud === 'aws') {
    const discovery = [{ tags: { 'karpenter.sh/discovery': spec.awsDiscoveryTag ?? '' } }];
    return {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: nodeClassName },
      spec: {
        role: spec.awsNodeRole,
        // The AL2023 alias resolves to the NVIDIA-accelerated AMI for GPU instance types (drivers included).
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        subnetSelectorTerms: discovery,
        securityGroupSelectorTerms: discovery,
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeSize: `${spec.rootVolumeGiB}Gi`, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
          },
        ],
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      },
    };
  }
  return {
    apiVersion: 'karpenter.azure.com/v1beta1',
    kind: 'AKSNodeClass',
    metadata: { name: nodeClassName },
    spec: { imageFamily: 'Ubuntu2204', osDiskSizeGB: spec.rootVolumeGiB },
  };
}

/** One NodePool per pool; earlier pools get a higher weight so Karpenter prefers them. */
export function nodePool(cloud: Cloud, pool: GpuNodePoolSpec, index: number, poolCount: number): KubeObject {
  const gpusPerNode = Math.max(...pool.instanceTypes.map((t) => findInstanceType(cloud, t)?.gpusPerNode ?? 0));
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: {
      name: pool.name,
      // Karpenter has no node floor; warm capacity comes from the HPA's minReplicas pulling nodes in.
      annotations: { 'blueprint.dev/min-nodes': String(pool.minNodes), 'blueprint.dev/cloud': cloud },
    },
    spec: {
      weight: (poolCount - index) * 10,
      template: {
        metadata: { labels: { ...pool.labels, [gpuClassLabel]: gpuClassName, 'blueprint.dev/gpu-pool': pool.name } },
        spec: {
          nodeClassRef: nodeClassRef(cloud),
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...pool.instanceTypes] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: [pool.capacityType] },
          ],
          taints: [{ key: gpuTaintKey, value: 'true', effect: 'NoSchedule' }],
          expireAfter: '720h',
        },
      },
      limits: { 'nvidia.com/gpu': String(pool.maxNodes * gpusPerNode) },
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m', budgets: [{ nodes: '1' }] },
    },
  };
}
