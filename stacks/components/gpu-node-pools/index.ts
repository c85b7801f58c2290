/**
 * GPU node pools: the NVIDIA GPU operator (platform stack: device plugin, DCGM exporter for GPU metrics) and the
 * pools themselves as custom resources (inference stack): Karpenter NodePools + node class on EKS and AKS,
 * a ComputeClass on GKE. Pools are data (stacks/environments); the ≥ 80 GB rule is checked at load time and by the
 * policies (policies/catalog/gpus.ts).
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import type { Cloud } from '../../../policies/catalog/gpus.js';
import type { GpuNodePoolSpec, NodeClassSpec } from '../../environments/schema/types.js';
import { HelmChart, type HelmValues } from '../../lib/helm.js';
import { kubeManifest } from '../../lib/manifest.js';
import { computeClass } from './compute-class.js';
import { nodeClass, nodePool } from './karpenter.js';
import { gpuTaintKey } from './scheduling.js';

export { gpuScheduling, gpuClassLabel, gpuClassName } from './scheduling.js';

export interface GpuOperatorProps {
  /** Decides where drivers and the container toolkit come from (node image vs. operator). */
  readonly cloud: Cloud;
  /** Namespace of the release (privileged Pod Security: host-level daemons). */
  readonly namespace: string;
  /** gpu-operator chart version; pinned, never a range. */
  readonly chartVersion?: string;
  /** Releases that must exist first (kube-prometheus-stack: the DCGM ServiceMonitor needs its CRD). */
  readonly dependsOn?: ITerraformDependable[];
}

/** Pinned defaults; chart from https://helm.ngc.nvidia.com/nvidia (NVIDIA's versions carry a "v"). */
export const gpuOperatorDefaults: { readonly repository: string; readonly chart: string; readonly chartVersion: string } = {
  repository: 'https://helm.ngc.nvidia.com/nvidia',
  chart: 'gpu-operator',
  chartVersion: 'v26.3.3',
};

/** Driver and toolkit come with the node image on all three clouds (EKS accelerated AMI, GKE, AKS). */
function cloudValues(cloud: Cloud): HelmValues {
  if (cloud === 'gcp') {
    // NVIDIA's GKE guide: drivers live under /home/kubernetes/bin/nvidia; CDI instead of a runtime hook.
    return {
      hostPaths: { driverInstallDir: '/home/kubernetes/bin/nvidia' },
      toolkit: { enabled: true, installDir: '/home/kubernetes/bin/nvidia' },
      cdi: { enabled: true, default: true },
    };
  }
  return { toolkit: { enabled: false } };
}

export class GpuOperator extends Construct {
  readonly chart: HelmChart;

  constructor(scope: Construct, id: string, props: GpuOperatorProps) {
    super(scope, id);
    const version = props.chartVersion ?? gpuOperatorDefaults.chartVersion;
    this.chart = new HelmChart(this, 'gpu-operator', {
      repository: gpuOperatorDefaults.repository,
      chart: gpuOperatorDefaults.chart,
      version,
      releaseName: 'gpu-operator',
      namespace: props.namespace,
      timeoutSeconds: 1200,
      dependsOn: props.dependsOn,
      values: {
        driver: { enabled: false },
        ...cloudValues(props.cloud),
        devicePlugin: { enabled: true },
        dcgmExporter: { enabled: true, serviceMonitor: { enabled: true, interval: '15s' } },
        daemonsets: { tolerations: [{ key: gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' }] },
      },
    });
  }
}

export interface GpuNodePoolsProps {
  /** aws → Karpenter + EC2NodeClass, azure → NAP + AKSNodeClass, gcp → ComputeClass. */
  readonly cloud: Cloud;
  /** Pools in preference order, from the environment (already checked against the ≥ 80 GB rule). */
  readonly pools: readonly GpuNodePoolSpec[];
  /** Node image, root volume and (AWS) IAM role and discovery tag. */
  readonly nodeClass: NodeClassSpec;
}

/** The pools as custom resources; Karpenter (EKS), NAP (AKS) or GKE must provide the CRDs. */
export class GpuNodePools extends Construct {
  constructor(scope: Construct, id: string, props: GpuNodePoolsProps) {
    super(scope, id);
    if (props.cloud === 'gcp') {
      kubeManifest(this, 'compute-class', computeClass(props.pools));
      return;
    }
    const nodeClassResource = kubeManifest(this, 'node-class', nodeClass(props.cloud, props.nodeClass));
    props.pools.forEach((pool, i) => {
      kubeManifest(this, `pool-${pool.name}`, nodePool(props.cloud, pool, i, props.pools.length), [nodeClassResource]);
    });
  }
}
