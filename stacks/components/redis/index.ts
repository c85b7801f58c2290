/**
 * Redis for the result cache and rate limits: the official image pinned by digest (charts whose images moved
 * behind a paywall are avoided), password from a Secret, persistence off (a cache: losing it costs latency, not
 * data), memory capped below the container limit with LRU eviction, and its own NetworkPolicy.
 */
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1/index.js';
import { Construct } from 'constructs';
import { appLabel, partOf, partOfLabel } from '../../lib/labels.js';
import { quantityBytes } from '../../lib/quantity.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../lib/pod-security.js';

export interface RedisProps {
  /** Namespace (the service's; Redis has its own NetworkPolicy there). */
  readonly namespace: string;
  /** Redis password (a Terraform variable token; never a literal). */
  readonly password: string;
  /** Bump to rotate the write-only Secret data. */
  readonly secretRevision: number;
  /** Labels of the pods allowed to connect (the inference pods). */
  readonly clientPodLabels: Readonly<Record<string, string>>;
  /** Memory request = limit; Redis' maxmemory is set to 75 % of it. */
  readonly memory?: string;
  /** CPU request = limit. */
  readonly cpu?: string;
  /** Official image by digest. */
  readonly image?: string;
}

export const redisDefaults = {
  // redis:8-alpine, multi-arch index digest; bump with `docker buildx imagetools inspect redis:8-alpine`.
  image: 'docker.io/library/redis:8-alpine@sha256:becdda6c7f4b3fb42e42fd7f120bbf5c54c4caaaf16f26da24e4563d2c1f0576',
  memory: '512Mi',
  cpu: '250m',
  port: 6379,
  name: 'redis',
  // The official alpine image's redis user and group.
  uid: 999,
  gid: 1000,
} as const;

export const redisPodLabels = { [appLabel]: 'redis', [partOfLabel]: partOf } as const;

export class Redis extends Construct {
  /** Service DNS name inside the cluster. */
  readonly host: string;
  readonly port: number = redisDefaults.port;
  readonly secretName = 'redis-auth';

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const memory = props.memory ?? redisDefaults.memory;
    const cpu = props.cpu ?? redisDefaults.cpu;
    const image = props.image ?? redisDefaults.image;
    if (!/@sha256:[a-f0-9]{64}$/.test(image)) throw new Error(`redis image "${image}" must be pinned by digest`);
    const { namespace } = props;
    this.host = `${redisDefaults.name}.${namespace}.svc.cluster.local`;
    // Leave a quarter of the container limit for Redis' own overhead before the OOM killer would act.
    const maxmemory = Math.floor((quantityBytes(memory) * 3) / 4);

    new SecretV1(this, 'auth', {
      metadata: { name: this.secretName, namespace },
      dataWo: { password: props.password },
      dataWoRevision: props.secretRevision,
    });

    const passwordEnv = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: this.secretName, key: 'password' } } });
    new DeploymentV1(this, 'deployment', {
      metadata: { name: redisDefaults.name, namespace, labels: { ...redisPodLabels } },
      spec: {
        replicas: '1',
        selector: { matchLabels: { ...redisPodLabels } },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: { ...redisPodLabels } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // Nothing to flush (persistence off): a short grace period keeps a hung Redis' restart
            // (liveness 10×3+2 s + grace) within the SLO's restart bound.
            terminationGracePeriodSeconds: 10,
            securityContext: restrictedPodSecurityContext(redisDefaults.uid, redisDefaults.gid),
            container: [
              {
                name: 'redis',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['--save', '', '--appendonly', 'no', '--requirepass', '$(REDIS_PASSWORD)',
                  '--maxmemory', String(maxmemory), '--maxmemory-policy', 'allkeys-lru'],
                env: [passwordEnv('REDIS_PASSWORD'), passwordEnv('REDISCLI_AUTH')],
                port: [{ name: 'redis', containerPort: redisDefaults.port, protocol: 'TCP' }],
                resources: { requests: { cpu, memory }, limits: { cpu, memory } },
                securityContext: restrictedContainerSecurityContext(redisDefaults.uid, redisDefaults.gid),
                readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
                livenessProbe: { tcpSocket: [{ port: 'redis' }], periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
                volumeMount: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volume: [{ name: 'data', emptyDir: { sizeLimit: '64Mi' } }],
          },
        },
      },
    });

    new ServiceV1(this, 'service', {
      metadata: { name: redisDefaults.name, namespace, labels: { ...redisPodLabels } },
      spec: { selector: { ...redisPodLabels }, port: [{ name: 'redis', port: redisDefaults.port, targetPort: 'redis' }] },
    });

    new PodDisruptionBudgetV1(this, 'pdb', {
      metadata: { name: redisDefaults.name, namespace },
      spec: { maxUnavailable: '1', selector: { matchLabels: { ...redisPodLabels } } },
    });

    new NetworkPolicyV1(this, 'network-policy', {
      metadata: { name: redisDefaults.name, namespace },
      spec: {
        podSelector: { matchLabels: { ...redisPodLabels } },
        // Ingress from the service's pods only; no egress at all (Redis calls nobody).
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { ...props.clientPodLabels } } }],
            ports: [{ port: String(redisDefaults.port), protocol: 'TCP' }],
          },
        ],
      },
    });
  }
}
