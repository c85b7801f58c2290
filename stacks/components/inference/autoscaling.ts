/**
 * Stable's HPA and PDB. The HPA scales on queue depth per pod (the batcher's backlog, exported as
 * `inference_queue_depth` and served to the HPA by prometheus-adapter), for a generative model also on active
 * sequences and KV-cache use per pod, with CPU as the fallback: when the custom
 * metric is missing the HPA still scales up on CPU (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-multiple-metrics).
 */
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js';
import type { Construct } from 'constructs';
import { metricNames } from '../../../services/inference/src/metrics/names.js';
import type { GenerationAutoscaling } from '../../environments/schema/types.js';

export interface AutoscalingProps {
  readonly namespace: string;
  readonly deploymentName: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly queueDepthTarget: number;
  readonly cpuUtilizationPercent: number;
  /** Generative models: also scale on active sequences and KV-cache use per pod. */
  readonly generation?: GenerationAutoscaling;
}

/** A fraction as a Kubernetes quantity string: 0.8 → "800m" (HPA averageValue takes quantities). */
export function fractionQuantity(fraction: number): string {
  return `${Math.round(fraction * 1000)}m`;
}

function podMetric(name: string, averageValue: string) {
  return { type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue } } };
}

export function stableAutoscaling(scope: Construct, p: AutoscalingProps): void {
  new HorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: { name: p.deploymentName, namespace: p.namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: p.deploymentName },
      minReplicas: p.minReplicas,
      maxReplicas: p.maxReplicas,
      // The HPA takes the largest replica count any metric asks for.
      metric: [
        podMetric(metricNames.queueDepth, String(p.queueDepthTarget)),
        ...(p.generation
          ? [
              podMetric(metricNames.activeSequences, String(p.generation.activeSequencesTarget)),
              podMetric(metricNames.kvCacheUsage, fractionQuantity(p.generation.kvCacheUsageTarget)),
            ]
          : []),
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: p.cpuUtilizationPercent } } },
      ],
      behavior: {
        // GPU nodes take minutes to arrive; scale up at once, scale down slowly to avoid flapping.
        scaleUp: [{ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policy: [{ type: 'Pods', value: 2, periodSeconds: 60 }] }],
        scaleDown: [{ stabilizationWindowSeconds: 600, selectPolicy: 'Min', policy: [{ type: 'Pods', value: 1, periodSeconds: 300 }] }],
      },
    },
  });
  new PodDisruptionBudgetV1(scope, 'pdb', {
    metadata: { name: p.deploymentName, namespace: p.namespace },
    // One pod at a time during node drains; with minReplicas ≥ 2 the service keeps serving.
    spec: { maxUnavailable: '1', selector: { matchLabels: { ...p.podLabels } } },
  });
}
