/**
 * Namespaces with Pod Security Admission labels. Every namespace enforces "restricted" unless the workload it
 * hosts cannot run that way; each exception names its reason, and still warns and audits at "restricted" so the
 * gap stays visible (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
 */
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1/index.js';
import { Construct } from 'constructs';
import { assertDnsLabel } from '../../lib/names.js';
import { namespaces, type NamespaceKey } from './names.js';

export { namespaces, type NamespaceKey } from './names.js';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface NamespacePolicy {
  readonly level: PodSecurityLevel;
  /** Required for anything below "restricted": why the workload needs it. */
  readonly reason?: string;
}

/** Pod Security level per namespace. */
export const namespacePolicies: Readonly<Record<NamespaceKey, NamespacePolicy>> = {
  inference: { level: 'restricted' },
  certManager: { level: 'restricted' },
  elasticSystem: { level: 'restricted' },
  gateway: { level: 'baseline', reason: 'gateway data planes bind ports 80/443 with NET_BIND_SERVICE' },
  monitoring: { level: 'privileged', reason: 'node-exporter uses the host network and PID namespace' },
  logging: { level: 'privileged', reason: 'the Filebeat DaemonSet reads container logs from hostPath /var/log' },
  gpuOperator: { level: 'privileged', reason: 'the GPU operator installs device plugins and DCGM on the host' },
};

export class Namespaces extends Construct {
  private readonly byKey = new Map<NamespaceKey, NamespaceV1>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const [key, name] of Object.entries(namespaces) as [NamespaceKey, string][]) {
      const policy = namespacePolicies[key];
      if (policy.level !== 'restricted' && !policy.reason) {
        throw new Error(`namespace "${name}" is "${policy.level}" without a reason; say why it cannot be restricted`);
      }
      assertDnsLabel(name, 'namespace');
      this.byKey.set(
        key,
        new NamespaceV1(this, key, {
          metadata: {
            name,
            labels: {
              'pod-security.kubernetes.io/enforce': policy.level,
              'pod-security.kubernetes.io/enforce-version': 'latest',
              'pod-security.kubernetes.io/warn': 'restricted',
              'pod-security.kubernetes.io/audit': 'restricted',
            },
            annotations: policy.reason ? { 'blueprint.dev/pod-security-exception': policy.reason } : undefined,
          },
        }),
      );
    }
  }

  /** The namespace resource, for `dependsOn` of releases that install into it. */
  get(key: NamespaceKey): NamespaceV1 {
    const ns = this.byKey.get(key);
    if (!ns) throw new Error(`no namespace ${key}`);
    return ns;
  }
}
