import { describe, expect, it } from 'vitest';
import { gpuMemoryOf, minGpuMemoryGiB } from '../../../policies/catalog/gpus.js';
import { loadEnvironment, validateEnvironment, type EnvironmentConfig } from '../../environments/index.js';
import { manifest, manifests, stack } from '../../test/synth.js';

describe('GPU node pools on EKS (Karpenter)', () => {
  const all = manifests(stack('inference-prod'), 'NodePool');
  const pool = (name: string) => {
    const found = all.find((p) => p.metadata.name === name);
    if (!found) throw new Error(`no NodePool ${name}`);
    return found;
  };
  const pools = [pool('h100'), pool('a100-80gb')];

  it('declares one NodePool per pool with ≥ 80 GB instance types, tainted and labelled for the service', () => {
    expect(all.map((p) => p.metadata.name).sort()).toEqual(['a100-80gb', 'h100']);
    for (const p of pools) {
      const types = p.spec.template.spec.requirements.find((r: { key: string }) => r.key === 'node.kubernetes.io/instance-type').values;
      for (const t of types) expect(gpuMemoryOf('aws', t)).toBeGreaterThanOrEqual(minGpuMemoryGiB);
      expect(p.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
      expect(p.spec.template.metadata.labels['blueprint.dev/gpu-class']).toBe('gpu-80gb');
      expect(p.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' });
    }
  });

  it('caps each pool by GPUs (maxNodes × GPUs per node) and prefers earlier pools', () => {
    expect(pool('h100').spec.limits).toEqual({ 'nvidia.com/gpu': '32' });
    expect(pool('h100').spec.weight).toBeGreaterThan(pool('a100-80gb').spec.weight);
  });

  it('uses an EC2NodeClass with IMDSv2 and an encrypted gp3 root volume', () => {
    const nodeClass = manifest(stack('inference-prod'), 'EC2NodeClass');
    expect(nodeClass.spec.metadataOptions.httpTokens).toBe('required');
    expect(nodeClass.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: 'gp3', encrypted: true, volumeSize: '300Gi' });
    expect(nodeClass.spec.role).toBe('KarpenterNodeRole-inference-prod');
  });
});

describe('GPU node pools on GKE (ComputeClass)', () => {
  it('lists the machine types with their accelerator and never falls back outside the list', () => {
    const cc = manifest(stack('inference-dev'), 'ComputeClass');
    expect(cc.metadata.name).toBe('gpu-80gb');
    expect(cc.spec.priorities).toEqual([{ machineType: 'a2-ultragpu-1g', spot: true, gpu: { type: 'nvidia-a100-80gb', count: 1 } }]);
    expect(cc.spec.whenUnsatisfiable).toBe('DoNotScaleUp');
  });
});

describe('GPU node pools on AKS (node auto-provisioning)', () => {
  it('uses Karpenter NodePools with an AKSNodeClass', () => {
    const prod = loadEnvironment('prod');
    const azure: EnvironmentConfig = validateEnvironment({
      ...prod,
      cloud: 'azure',
      nodePools: [{ name: 'a100-80gb', instanceTypes: ['Standard_NC24ads_A100_v4'], minNodes: 0, maxNodes: 3, capacityType: 'on-demand' }],
      nodeClass: { rootVolumeGiB: 256 },
      modelStoreNetwork: undefined,
    });
    const s = stack('inference-prod', [azure]);
    const pool = manifest(s, 'NodePool');
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'gpu' });
    expect(pool.spec.limits).toEqual({ 'nvidia.com/gpu': '3' });
    expect(manifest(s, 'AKSNodeClass').spec).toEqual({ imageFamily: 'Ubuntu2204', osDiskSizeGB: 256 });
  });
});
