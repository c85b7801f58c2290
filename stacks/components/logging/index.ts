/**
 * Logging (ELK on ECK): the Elastic operator (platform stack) and, in the inference stack, Elasticsearch,
 * Kibana, Logstash, Filebeat on every node, and the index lifecycle that enforces retention.
 */
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { HelmChart } from '../../lib/helm.js';
import { kubeManifest } from '../../lib/manifest.js';
import { elasticsearch, kibana, logstash } from './elastic-stack.js';
import { filebeat, filebeatRbac } from './filebeat.js';
import { lifecycleJob } from './lifecycle.js';
import { loggingNetworkPolicies } from './network.js';

export interface EckOperatorProps {
  /** Namespace of the operator (restricted). */
  readonly namespace: string;
  /** eck-operator chart version; pinned. */
  readonly chartVersion?: string;
  /** The namespace, which must exist first. */
  readonly dependsOn?: ITerraformDependable[];
}

export const eckDefaults = { repository: 'https://helm.elastic.co', chartVersion: '3.5.0' } as const;

export class EckOperator extends Construct {
  readonly chart: HelmChart;
  constructor(scope: Construct, id: string, props: EckOperatorProps) {
    super(scope, id);
    this.chart = new HelmChart(this, 'eck-operator', {
      repository: eckDefaults.repository,
      chart: 'eck-operator',
      version: props.chartVersion ?? eckDefaults.chartVersion,
      releaseName: 'eck-operator',
      namespace: props.namespace,
      dependsOn: props.dependsOn,
      values: {
        installCRDs: true,
        // The chart's pod security context sets only runAsNonRoot; the namespace enforces Pod Security
        // "restricted", which also requires a seccomp profile, else the operator pod is rejected at admission.
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      },
    });
  }
}

export interface LoggingProps {
  /** Namespace of the Elastic stack and Filebeat. */
  readonly namespace: string;
  /** Elastic Stack version (Elasticsearch, Kibana, Logstash, Filebeat move together). */
  readonly version: string;
  readonly elasticsearchNodes: number;
  /** Data volume per Elasticsearch node. */
  readonly storage: string;
  /** Block SSD class for the data volumes. */
  readonly storageClassName: string;
  /** Days before the ILM policy deletes an index. */
  readonly retentionDays: number;
  /** `app.kubernetes.io/name` of the service whose ECS JSON lines get decoded. */
  readonly serviceAppName: string;
  /** Namespace of the ECK operator (allowed to reach the stack's pods). */
  readonly operatorNamespace: string;
}

export class Logging extends Construct {
  constructor(scope: Construct, id: string, props: LoggingProps) {
    super(scope, id);
    const spec = {
      namespace: props.namespace,
      version: props.version,
      nodes: props.elasticsearchNodes,
      storage: props.storage,
      storageClassName: props.storageClassName,
      serviceAppName: props.serviceAppName,
    };
    const es = kubeManifest(this, 'elasticsearch', elasticsearch(spec));
    kubeManifest(this, 'kibana', kibana(spec), [es]);
    const ls = kubeManifest(this, 'logstash', logstash(spec), [es]);
    filebeatRbac(this, props.namespace);
    kubeManifest(this, 'filebeat', filebeat(props.namespace, props.version), [ls]);
    lifecycleJob(this, props.namespace, props.retentionDays, [es]);
    loggingNetworkPolicies(this, { namespace: props.namespace, operatorNamespace: props.operatorNamespace });
  }
}
