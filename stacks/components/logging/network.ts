/**
 * NetworkPolicies for the logging namespace: default deny, then the traffic the Elastic stack needs — among its
 * own pods, from the ECK operator, DNS, and the Kubernetes API for Filebeat's metadata lookups.
 */
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import type { Construct } from 'constructs';
import { filebeatName } from './filebeat.js';

export interface LoggingNetworkProps {
  readonly namespace: string;
  readonly operatorNamespace: string;
  /** API server CIDRs for Filebeat (add_kubernetes_metadata); default any address on 443/6443. */
  readonly apiServerCidrs?: readonly string[];
}

const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

export function loggingNetworkPolicies(scope: Construct, p: LoggingNetworkProps): void {
  new NetworkPolicyV1(scope, 'default-deny', {
    metadata: { name: 'default-deny', namespace: p.namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  new NetworkPolicyV1(scope, 'elastic-stack', {
    metadata: { name: 'elastic-stack', namespace: p.namespace },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }, { from: [ns(p.operatorNamespace)] }],
      egress: [
        { to: [{ podSelector: {} }] },
        {
          to: [{ ...ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { port: '53', protocol: 'UDP' },
            { port: '53', protocol: 'TCP' },
          ],
        },
      ],
    },
  });
  new NetworkPolicyV1(scope, 'filebeat-api', {
    metadata: { name: 'filebeat-api', namespace: p.namespace },
    spec: {
      podSelector: { matchLabels: { 'beat.k8s.elastic.co/name': filebeatName } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: (p.apiServerCidrs ?? ['0.0.0.0/0']).map((cidr) => ({ ipBlock: { cidr } })),
          ports: [
            { port: '443', protocol: 'TCP' },
            { port: '6443', protocol: 'TCP' },
          ],
        },
      ],
    },
  });
}
