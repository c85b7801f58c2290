/**
 * The inference service: stable and canary Deployments (the canary may have 0 replicas), one Service per track
 * for the HTTPRoute's weighted backends, configuration via ConfigMap, secrets via Secret keys and files, HPA and
 * PDB for stable. Pods are Pod Security "restricted", request whole GPUs and land on the ≥ 80 GB GPU pools.
 */
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1/index.js';
import { Construct } from 'constructs';
import type { Cloud } from '../../../policies/catalog/gpus.js';
import type { InferenceSpec } from '../../environments/schema/types.js';
import { appLabel, partOf, partOfLabel, trackLabel } from '../../lib/labels.js';
import { assertDnsLabel } from '../../lib/names.js';
import { shutdownDefaults } from '../../../services/inference/src/shutdown/config.js';
import { gpuScheduling } from '../gpu-node-pools/scheduling.js';
import { stableAutoscaling } from './autoscaling.js';
import { jwtKeyFile, ports, secretEnv, serviceSettings, tracingSettings, type ServiceSecrets, type TracingSettings } from './config.js';
import { trackDeployment, type Track } from './deployment.js';
import { assertRestartBound, probeDefaults, type ProbeSettings } from './probes.js';

export { ports } from './config.js';
export type { ServiceSecrets } from './config.js';
export { livenessWorstCaseSeconds, probeDefaults, restartWorstCaseSeconds } from './probes.js';

export interface InferenceProps {
  /** Namespace of the service (Pod Security restricted, default-deny). */
  readonly namespace: string;
  /** Decides the GPU node selector (Karpenter label or GKE ComputeClass). */
  readonly cloud: Cloud;
  /** The environment's service settings: digests, replicas, resources, auth, autoscaling. */
  readonly spec: InferenceSpec;
  /** Secret values as Terraform variable tokens, never literals. */
  readonly secrets: ServiceSecrets;
  /** Bump to rotate the write-only Secret data. */
  readonly secretRevision: number;
  /** PVC of the model store, mounted read-only at /models. */
  readonly modelStoreClaim: string;
  /** Probe timings; defaults satisfy the SLO restart bound, overrides are checked against it. */
  readonly probes?: ProbeSettings;
  /**
   * Seconds the preStop hook sleeps before SIGTERM, so the gateway takes the pod out of rotation before the
   * service starts refusing new requests (default: the service's `shutdownDefaults.preStopSleepSeconds`, 5).
   */
  readonly preStopSleepSeconds?: number;
  /** Extra seconds after preStop + the service's drain bound before SIGKILL (default 5, as the service suggests). */
  readonly gracePeriodMarginSeconds?: number;
  /** Where spans go (OTEL_* settings, config.ts); absent = tracing off. */
  readonly tracing?: TracingSettings;
}

export const inferenceAppName = 'inference';
/** Labels every inference pod carries, whatever its track (NetworkPolicies, Redis client rule). */
export const inferencePodLabels = { [appLabel]: inferenceAppName, [partOfLabel]: partOf } as const;

export function serviceName(track: Track): string {
  return `${inferenceAppName}-${track}`;
}

export class Inference extends Construct {
  readonly configMapName = 'inference-config';
  readonly envSecretName = 'inference-env';
  readonly fileSecretName = 'inference-files';

  constructor(scope: Construct, id: string, props: InferenceProps) {
    super(scope, id);
    const { namespace, spec } = props;
    // The kubelet's grace period covers the preStop hook too (services/inference/src/shutdown/config.ts).
    const preStopSleepSeconds = props.preStopSleepSeconds ?? shutdownDefaults.preStopSleepSeconds;
    const grace = preStopSleepSeconds + spec.shutdownTimeoutSeconds + (props.gracePeriodMarginSeconds ?? 5);
    const probes = assertRestartBound(props.probes ?? probeDefaults, grace);

    new ConfigMapV1(this, 'config', {
      metadata: { name: this.configMapName, namespace },
      data: { ...serviceSettings(spec), ...(props.tracing ? tracingSettings(props.tracing) : {}) },
    });
    const { redisUrl, cacheEncryptionKey, cacheHmacKey, jwtPublicKey } = props.secrets;
    const envValues: Record<keyof typeof secretEnv, string> = {
      REDIS_URL: redisUrl,
      CACHE_ENCRYPTION_KEY: cacheEncryptionKey,
      CACHE_HMAC_KEY: cacheHmacKey,
    };
    new SecretV1(this, 'env-secret', {
      metadata: { name: this.envSecretName, namespace },
      dataWo: Object.fromEntries(Object.entries(secretEnv).map(([env, key]) => [key, envValues[env as keyof typeof secretEnv]])),
      dataWoRevision: props.secretRevision,
    });
    new SecretV1(this, 'file-secret', {
      metadata: { name: this.fileSecretName, namespace },
      dataWo: { [jwtKeyFile]: jwtPublicKey },
      dataWoRevision: props.secretRevision,
    });

    for (const track of ['stable', 'canary'] as const) {
      const name = assertDnsLabel(serviceName(track), 'Deployment');
      const podLabels = { ...inferencePodLabels, [trackLabel]: track };
      trackDeployment(this, track, {
        name,
        namespace,
        track,
        podLabels,
        image: `${spec.imageRepository}@${spec[track].imageDigest}`,
        replicas: spec[track].replicas,
        resources: spec.resources,
        scheduling: gpuScheduling(props.cloud),
        probes,
        preStopSleepSeconds,
        terminationGracePeriodSeconds: grace,
        configMapName: this.configMapName,
        envSecretName: this.envSecretName,
        fileSecretName: this.fileSecretName,
        modelStoreClaim: props.modelStoreClaim,
        autoscaled: track === 'stable',
        grpc: spec.grpc.enabled,
      });
      new ServiceV1(this, `${track}-service`, {
        metadata: { name, namespace, labels: { ...inferencePodLabels, [trackLabel]: track } },
        spec: {
          selector: podLabels,
          // Only the ports the service declares (API, gRPC where enabled, metrics); nothing else is exposed.
          port: [
            { name: 'http', port: ports.http, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
            // h2c: gRPC is HTTP/2 without TLS inside the cluster unless TLS_CERT_FILE is set (then the pod speaks TLS).
            ...(spec.grpc.enabled ? [{ name: 'grpc', port: ports.grpc, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }] : []),
            { name: 'metrics', port: ports.metrics, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' },
          ],
        },
      });
    }

    stableAutoscaling(this, {
      namespace,
      deploymentName: serviceName('stable'),
      podLabels: { ...inferencePodLabels, [trackLabel]: 'stable' },
      minReplicas: spec.autoscaling.minReplicas,
      maxReplicas: spec.autoscaling.maxReplicas,
      queueDepthTarget: spec.autoscaling.queueDepthTarget,
      cpuUtilizationPercent: spec.autoscaling.cpuUtilizationPercent,
      ...(spec.autoscaling.generation ? { generation: spec.autoscaling.generation } : {}),
    });
  }
}
