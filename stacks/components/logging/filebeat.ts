/**
 * Filebeat on every node, shipping container logs to Logstash. The one pod spec here that cannot be Pod Security
 * "restricted": it reads the kubelet's log files through read-only hostPath mounts as root (the files are
 * root-owned 0640) and needs a service-account token for Kubernetes metadata. Everything else is locked down
 * (no capabilities, read-only root filesystem, no privilege escalation); the namespace records the exception.
 */
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1/index.js';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1/index.js';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1/index.js';
import type { Construct } from 'constructs';
import type { KubeObject } from '../../lib/manifest.js';
import { logstashBeatsHost } from './elastic-stack.js';

export const filebeatName = 'filebeat';
export const policyExceptionAnnotation = 'blueprint.dev/policy-exception';

/** RBAC for add_kubernetes_metadata: read pods, namespaces and nodes. */
export function filebeatRbac(scope: Construct, namespace: string): void {
  new ServiceAccountV1(scope, 'filebeat-sa', { metadata: { name: filebeatName, namespace } });
  new ClusterRoleV1(scope, 'filebeat-role', {
    metadata: { name: filebeatName },
    rule: [{ apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] }],
  });
  new ClusterRoleBindingV1(scope, 'filebeat-binding', {
    metadata: { name: filebeatName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: filebeatName },
    subject: [{ kind: 'ServiceAccount', name: filebeatName, namespace }],
  });
}

export function filebeat(namespace: string, version: string): KubeObject {
  const hostPath = (name: string, path: string) => ({ name, hostPath: { path, type: 'Directory' } });
  return {
    apiVersion: 'beat.k8s.elastic.co/v1beta1',
    kind: 'Beat',
    metadata: {
      name: filebeatName,
      namespace,
      annotations: { [policyExceptionAnnotation]: 'node log shipper: read-only hostPath /var/log as uid 0, API token for metadata' },
    },
    spec: {
      type: 'filebeat',
      version,
      config: {
        'filebeat.inputs': [
          {
            type: 'filestream',
            id: 'kubernetes-containers',
            paths: ['/var/log/containers/*.log'],
            'prospector.scanner.symlinks': true,
            parsers: [{ container: {} }],
            processors: [
              { add_kubernetes_metadata: { host: '${NODE_NAME}', matchers: [{ logs_path: { logs_path: '/var/log/containers/' } }] } },
            ],
          },
        ],
        'output.logstash': { hosts: [logstashBeatsHost(namespace)] },
      },
      daemonSet: {
        podTemplate: {
          spec: {
            serviceAccountName: filebeatName,
            automountServiceAccountToken: true,
            securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'filebeat',
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '500m', memory: '400Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'varlogcontainers', mountPath: '/var/log/containers', readOnly: true },
                  { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
                ],
              },
            ],
            volumes: [hostPath('varlogcontainers', '/var/log/containers'), hostPath('varlogpods', '/var/log/pods')],
          },
        },
      },
    },
  };
}
