/** cert-manager ClusterIssuer and Certificate for the Gateway's HTTPS listener. */
import type { TlsSpec } from '../../environments/schema/types.js';
import type { KubeObject } from '../../lib/manifest.js';

export const clusterIssuerName = 'gateway-issuer';

function dns01Solver(dns01: Extract<TlsSpec['issuer'], { type: 'acme' }>['dns01']): Record<string, unknown> {
  switch (dns01.provider) {
    case 'route53':
      return { route53: { region: dns01.region, hostedZoneID: dns01.hostedZoneId } };
    case 'cloudDNS':
      return { cloudDNS: { project: dns01.project } };
    case 'azureDNS':
      return {
        azureDNS: {
          subscriptionID: dns01.subscriptionId,
          resourceGroupName: dns01.resourceGroupName,
          hostedZoneName: dns01.hostedZoneName,
          environment: 'AzurePublicCloud',
        },
      };
  }
}

export function clusterIssuer(tls: TlsSpec): KubeObject {
  const spec =
    tls.issuer.type === 'selfSigned'
      ? { selfSigned: {} }
      : {
          acme: {
            email: tls.issuer.email,
            server: tls.issuer.server,
            privateKeySecretRef: { name: `${clusterIssuerName}-account-key` },
            // DNS-01: no plain-HTTP listener is needed on the Gateway for challenges.
            solvers: [{ dns01: dns01Solver(tls.issuer.dns01) }],
          },
        };
  return { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: clusterIssuerName }, spec };
}

export function certificate(tls: TlsSpec, namespace: string, secretName: string): KubeObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: secretName, namespace },
    spec: {
      secretName,
      dnsNames: [...tls.hostnames],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: clusterIssuerName },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    },
  };
}
