/**
 * Installs the index lifecycle policy (retention) through the Elasticsearch API: ECK has no resource for ILM
 * policies outside its Enterprise-licensed StackConfigPolicy, and Logstash only refers to an existing policy.
 * A Job with curl, re-run by Terraform whenever the policy changes (its hash is in the Job name).
 */
import { createHash } from 'node:crypto';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../lib/pod-security.js';
import { elasticsearchName } from './elastic-stack.js';
import { ilmPolicy, ilmPolicyName } from './pipeline.js';

/** curl by digest; the image runs as curl_user (uid 100). */
export const curlImage = 'docker.io/curlimages/curl@sha256:d9b4541e214bcd85196d6e92e2753ac6d0ea699f0af5741f8c6cccbfcf00ef4b';

export function lifecycleJob(scope: Construct, namespace: string, retentionDays: number, dependsOn: ITerraformDependable[]): JobV1 {
  const body = JSON.stringify(ilmPolicy(retentionDays));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
  const url = `https://${elasticsearchName}-es-http.${namespace}.svc:9200/_ilm/policy/${ilmPolicyName}`;
  return new JobV1(scope, 'ilm-job', {
    metadata: { name: `logs-ilm-${hash}`, namespace },
    waitForCompletion: false,
    dependsOn,
    spec: {
      backoffLimit: 20,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'logs-ilm' } },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(100, 101),
          container: [
            {
              name: 'put-policy',
              image: curlImage,
              command: ['curl', '--fail-with-body', '-sS', '--cacert', '/ca/ca.crt', '-u', 'elastic:$(ES_PASSWORD)',
                '-X', 'PUT', '-H', 'Content-Type: application/json', '-d', body, url],
              env: [{ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: `${elasticsearchName}-es-elastic-user`, key: 'elastic' } } }],
              resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
              securityContext: restrictedContainerSecurityContext(100, 101),
              volumeMount: [{ name: 'ca', mountPath: '/ca', readOnly: true }],
            },
          ],
          volume: [{ name: 'ca', secret: { secretName: `${elasticsearchName}-es-http-certs-public` } }],
        },
      },
    },
  });
}
