/**
 * Firewall for the service namespace: deny everything in and out, then allow exactly
 * - 8080 from the gateway's namespace and 9000 from the monitoring namespace (nothing else reaches the pods),
 * - 8081 (gRPC) from the environment's gRPC client namespaces, only where the environment enables gRPC,
 * - DNS (UDP and TCP 53) to kube-dns, Redis, optionally HTTPS to the identity provider for JWKS, and OTLP/HTTP to
 *   the tracing collector (components/tracing) when one is given.
 * Redis has its own policy (components/redis). Typed kubernetes_network_policy_v1 resources.
 */
import { NetworkPolicyV1, type NetworkPolicyV1SpecEgress } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import { Construct } from 'constructs';

export interface FirewallProps {
  /** Namespace the policies live in (the service's). */
  readonly namespace: string;
  /** Labels selecting the inference pods (stable and canary alike). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly gatewayNamespace: string;
  readonly monitoringNamespace: string;
  /** Labels of the Redis pods and their port. */
  readonly redis: { readonly podLabels: Readonly<Record<string, string>>; readonly port: number };
  /** Identity provider CIDRs for JWKS over 443; empty = no such egress. */
  readonly identityProviderCidrs?: readonly string[];
  /** The OTLP collector (Jaeger) the service sends spans to; absent = no such egress. */
  readonly tracing?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>>; readonly port: number };
  readonly httpPort?: number;
  readonly metricsPort?: number;
  /** gRPC (GRPC_ENABLED): its port and the namespaces whose pods may call it; undefined = gRPC closed. */
  readonly grpc?: { readonly port?: number; readonly clientNamespaces: readonly string[] };
}

export const firewallDefaults = { httpPort: 8080, grpcPort: 8081, metricsPort: 9000 } as const;

const byNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

export class Firewall extends Construct {
  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    const httpPort = props.httpPort ?? firewallDefaults.httpPort;
    const metricsPort = props.metricsPort ?? firewallDefaults.metricsPort;
    if (props.grpc && props.grpc.clientNamespaces.length === 0) {
      throw new Error('Firewall: grpc.clientNamespaces is empty; name the namespaces whose pods call gRPC, or leave grpc unset');
    }

    new NetworkPolicyV1(this, 'default-deny', {
      metadata: { name: 'default-deny', namespace: props.namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const egress: NetworkPolicyV1SpecEgress[] = [
      {
        to: [{ ...byNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { port: '53', protocol: 'UDP' },
          { port: '53', protocol: 'TCP' },
        ],
      },
      { to: [{ podSelector: { matchLabels: { ...props.redis.podLabels } } }], ports: [{ port: String(props.redis.port), protocol: 'TCP' }] },
    ];
    const idp = props.identityProviderCidrs ?? [];
    if (idp.length > 0) {
      egress.push({ to: idp.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: '443', protocol: 'TCP' }] });
    }
    if (props.tracing) {
      egress.push({
        to: [{ ...byNamespace(props.tracing.namespace), podSelector: { matchLabels: { ...props.tracing.podLabels } } }],
        ports: [{ port: String(props.tracing.port), protocol: 'TCP' }],
      });
    }

    new NetworkPolicyV1(this, 'inference', {
      metadata: { name: 'inference', namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...props.podLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [byNamespace(props.gatewayNamespace)], ports: [{ port: String(httpPort), protocol: 'TCP' }] },
          ...(props.grpc
            ? [{ from: props.grpc.clientNamespaces.map(byNamespace), ports: [{ port: String(props.grpc.port ?? firewallDefaults.grpcPort), protocol: 'TCP' }] }]
            : []),
          { from: [byNamespace(props.monitoringNamespace)], ports: [{ port: String(metricsPort), protocol: 'TCP' }] },
        ],
        egress,
      },
    });
  }
}
