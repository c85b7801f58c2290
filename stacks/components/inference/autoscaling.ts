/**
 * Stable's HPA and PDB. The HPA scales on queue depth per pod (the batcher's backlog, exported as
 * `inference_queue_depth` and served to the HPA by prometheus-adapter) with CPU as the fallback: when the custom
 * metric is missing the HPA still scales up on CPU (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-multiple-metrics).
 */
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js';
import type { Construct } from 'constructs';
import { metricNames } from '../../../services/inference/src/metrics/names.js';

export interface AutoscalingProps {
  readonly namespace: string;
  readonly deploymentName: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly queueDepthTarget: number;
  readonly cpuUtilizationPercent: number;
}

export function stableAutoscaling(scope: Construct, p: AutoscalingProps): void {
  new HorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: { name: p.deploymentName, namespace: p.namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: p.deploymentName },
      minReplicas: p.minReplicas,
      maxReplicas: p.maxReplicas,
      metric: [
        {
          type: 'Pods',
          pods: {
            metric: { name: metricNames.queueDepth },
            target: { type: 'AverageValue', averageValue: String(p.queueDepthTarget) },
          },
        },
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
