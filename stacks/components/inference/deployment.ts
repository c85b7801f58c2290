/**
 * One Deployment per track (stable, canary) from the same template, so the two can never drift apart except in
 * image digest and replica count.
 */
import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpecContainerLivenessProbe,
} from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
import type { Construct } from 'constructs';
import type { GpuScheduling } from '../gpu-node-pools/scheduling.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../lib/pod-security.js';
import { mountPaths, ports, secretEnv } from './config.js';
import { healthPaths, type ProbeTiming, type ProbeSettings } from './probes.js';

export type Track = 'stable' | 'canary';

export interface TrackDeploymentProps {
  readonly name: string;
  readonly namespace: string;
  readonly track: Track;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly replicas: number;
  readonly resources: { readonly cpu: string; readonly memory: string; readonly gpus: number };
  readonly scheduling: GpuScheduling;
  readonly probes: ProbeSettings;
  /** preStop sleep: endpoints and the gateway stop routing here before SIGTERM starts the drain. */
  readonly preStopSleepSeconds: number;
  /** Covers preStop + the service's drain bound + a margin. */
  readonly terminationGracePeriodSeconds: number;
  readonly configMapName: string;
  readonly envSecretName: string;
  readonly fileSecretName: string;
  readonly modelStoreClaim: string;
  /** The HPA owns the replica count; Terraform must not reset it on every apply. */
  readonly autoscaled: boolean;
  /** GRPC_ENABLED: declare the `grpc` container port (8081). */
  readonly grpc: boolean;
}

/** UID and GID the service image runs as (`USER 10001:10001` in services/inference/Dockerfile). */
export const serviceUid = 10001;

function probe(path: string, port: string, t: ProbeTiming): DeploymentV1SpecTemplateSpecContainerLivenessProbe {
  return { httpGet: { path, port }, ...t, successThreshold: 1 };
}

/** Allowance for a GPU node to be launched (Karpenter / NAP / GKE) and the multi-GB CUDA image to be pulled. */
export const nodeAndImageSeconds = 15 * 60;

/**
 * How long `apply` waits for a rollout: node + image, then the whole startup-probe budget. The provider's default
 * (10 min) is shorter than the startup budget alone; a timeout taints the Deployment and the next apply would
 * replace it, deleting every pod of the track at once.
 */
export function rolloutTimeout(startup: ProbeTiming): string {
  return `${Math.ceil((nodeAndImageSeconds + startup.periodSeconds * startup.failureThreshold) / 60)}m`;
}

export function trackDeployment(scope: Construct, id: string, p: TrackDeploymentProps): DeploymentV1 {
  const gpu = String(p.resources.gpus);
  const resources = { cpu: p.resources.cpu, memory: p.resources.memory, 'nvidia.com/gpu': gpu };
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: [{ matchLabels: { ...p.podLabels } }],
  });
  return new DeploymentV1(scope, id, {
    metadata: { name: p.name, namespace: p.namespace, labels: { ...p.podLabels } },
    // Canary may run 0 replicas between rollouts; Terraform should not block on a rollout either way.
    waitForRollout: p.replicas > 0,
    timeouts: { create: rolloutTimeout(p.probes.startup), update: rolloutTimeout(p.probes.startup) },
    lifecycle: p.autoscaled ? { ignoreChanges: ['spec[0].replicas'] } : undefined,
    spec: {
      replicas: String(p.replicas),
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...p.podLabels } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
      template: {
        metadata: { labels: { ...p.podLabels } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
          securityContext: restrictedPodSecurityContext(serviceUid),
          nodeSelector: { ...p.scheduling.nodeSelector },
          toleration: p.scheduling.tolerations.map((t) => ({ ...t })),
          topologySpreadConstraint: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
          container: [
            {
              name: 'inference',
              image: p.image,
              imagePullPolicy: 'IfNotPresent',
              port: [
                { name: 'http', containerPort: ports.http, protocol: 'TCP' },
                ...(p.grpc ? [{ name: 'grpc', containerPort: ports.grpc, protocol: 'TCP' }] : []),
                { name: 'metrics', containerPort: ports.metrics, protocol: 'TCP' },
              ],
              envFrom: [{ configMapRef: { name: p.configMapName } }],
              env: [
                ...Object.entries(secretEnv).map(([name, key]) => ({
                  name,
                  valueFrom: { secretKeyRef: { name: p.envSecretName, key } },
                })),
              ],
              // GPUs are not overcommitted: requests equal limits (Guaranteed QoS).
              resources: { requests: resources, limits: resources },
              securityContext: restrictedContainerSecurityContext(serviceUid),
              startupProbe: probe(healthPaths.live, 'http', p.probes.startup),
              readinessProbe: probe(healthPaths.ready, 'http', p.probes.readiness),
              livenessProbe: probe(healthPaths.live, 'http', p.probes.liveness),
              // After SIGTERM the service answers new requests with 503; the sleep lets endpoint removal reach the
              // gateway first, so a rollout or scale-down costs clients no errors. `sleep` is in both images.
              lifecycle: { preStop: [{ exec: { command: ['sleep', String(p.preStopSleepSeconds)] } }] },
              volumeMount: [
                { name: 'model-store', mountPath: mountPaths.models, readOnly: true },
                { name: 'secrets', mountPath: mountPaths.secrets, readOnly: true },
                { name: 'tmp', mountPath: mountPaths.tmp },
              ],
            },
          ],
          volume: [
            { name: 'model-store', persistentVolumeClaim: { claimName: p.modelStoreClaim, readOnly: true } },
            { name: 'secrets', secret: { secretName: p.fileSecretName, defaultMode: '0440' } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      },
    },
  });
}
