/** Elasticsearch, Kibana and Logstash as ECK custom resources (https://www.elastic.co/docs/deploy-manage/deploy/cloud-on-k8s). */
import type { KubeObject } from '../../lib/manifest.js';
import { restrictedContainerSecurityContextManifest } from '../../lib/pod-security.js';
import { beatsPort, logstashPipeline } from './pipeline.js';

export const elasticsearchName = 'logs';
export const logstashName = 'logstash';

export interface ElasticStackSpec {
  readonly namespace: string;
  readonly version: string;
  readonly nodes: number;
  readonly storage: string;
  readonly storageClassName: string;
  readonly serviceAppName: string;
}

const podSecurity = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

function resources(cpu: string, memory: string) {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

/** Elastic images run as uid 1000. */
const elasticUid = 1000;

/**
 * With a read-only root filesystem the JVM needs a writable /tmp. ECK itself mounts an emptyDir at /tmp into
 * Elasticsearch (ECK 3) and Kibana (`temp-volume`) pods, and merges our template's mounts by *name*: a second
 * mount at /tmp under another name would make every pod invalid ("mountPath must be unique"). Only Logstash,
 * which ECK gives no /tmp, gets ours.
 */
const logstashTmp = { volumes: [{ name: 'tmp', emptyDir: {} }], volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] };

function podTemplate(container: string, cpu: string, memory: string, tmp?: typeof logstashTmp): Record<string, unknown> {
  return {
    spec: {
      automountServiceAccountToken: false,
      securityContext: { ...podSecurity, runAsUser: elasticUid, runAsGroup: elasticUid, fsGroup: elasticUid },
      containers: [
        {
          name: container,
          resources: resources(cpu, memory),
          securityContext: restrictedContainerSecurityContextManifest(elasticUid),
          ...(tmp ? { volumeMounts: tmp.volumeMounts } : {}),
        },
      ],
      ...(tmp ? { volumes: tmp.volumes } : {}),
    },
  };
}

export function elasticsearch(s: ElasticStackSpec): KubeObject {
  return {
    apiVersion: 'elasticsearch.k8s.elastic.co/v1',
    kind: 'Elasticsearch',
    metadata: { name: elasticsearchName, namespace: s.namespace },
    spec: {
      version: s.version,
      nodeSets: [
        {
          name: 'default',
          count: s.nodes,
          // No mmap: avoids the privileged sysctl init container (vm.max_map_count).
          config: { 'node.store.allow_mmap': false },
          podTemplate: podTemplate('elasticsearch', '1', '4Gi'),
          volumeClaimTemplates: [
            {
              metadata: { name: 'elasticsearch-data' },
              spec: { accessModes: ['ReadWriteOnce'], storageClassName: s.storageClassName, resources: { requests: { storage: s.storage } } },
            },
          ],
        },
      ],
    },
  };
}

export function kibana(s: ElasticStackSpec): KubeObject {
  return {
    apiVersion: 'kibana.k8s.elastic.co/v1',
    kind: 'Kibana',
    metadata: { name: 'kibana', namespace: s.namespace },
    spec: {
      version: s.version,
      count: 1,
      elasticsearchRef: { name: elasticsearchName },
      podTemplate: podTemplate('kibana', '500m', '1Gi'),
    },
  };
}

export function logstash(s: ElasticStackSpec): KubeObject {
  return {
    apiVersion: 'logstash.k8s.elastic.co/v1alpha1',
    kind: 'Logstash',
    metadata: { name: logstashName, namespace: s.namespace },
    spec: {
      version: s.version,
      count: Math.min(2, s.nodes),
      elasticsearchRefs: [{ name: elasticsearchName, clusterName: 'logs' }],
      pipelines: [{ 'pipeline.id': 'main', 'config.string': logstashPipeline(s.serviceAppName) }],
      services: [
        {
          name: 'beats',
          service: { spec: { type: 'ClusterIP', ports: [{ name: 'beats', port: beatsPort, targetPort: beatsPort, protocol: 'TCP' }] } },
        },
      ],
      podTemplate: podTemplate('logstash', '1', '2Gi', logstashTmp),
      // ECK's default `logstash-data` claim names no storage class and stays Pending on clusters without a default
      // one (new EKS clusters have none); the queue and plugin state go on the block SSD class like Elasticsearch.
      volumeClaimTemplates: [
        {
          metadata: { name: 'logstash-data' },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: s.storageClassName, resources: { requests: { storage: '2Gi' } } },
        },
      ],
    },
  };
}

/** ECK names the Beats Service `<logstash>-ls-<service>`. */
export function logstashBeatsHost(namespace: string): string {
  return `${logstashName}-ls-beats.${namespace}.svc:${beatsPort}`;
}
