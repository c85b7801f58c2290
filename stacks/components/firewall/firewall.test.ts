import { describe, expect, it } from 'vitest';
import { TerraformStack, Testing } from 'cdktf';
import { byName, resources, stack } from '../../test/synth.js';
import { Firewall } from './index.js';

const s = stack('inference-staging');

describe('firewall', () => {
  it('denies all ingress and egress by default in the service namespace', () => {
    const deny = byName(s, 'kubernetes_network_policy_v1', 'default-deny');
    expect(deny.metadata.namespace).toBe('inference');
    expect(deny.spec).toEqual({ pod_selector: {}, policy_types: ['Ingress', 'Egress'] });
  });

  it('lets only the gateway namespace reach 8080 and only monitoring reach 9000', () => {
    const policy = byName(s, 'kubernetes_network_policy_v1', 'inference');
    expect(policy.spec.ingress).toEqual([
      { from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ port: '8080', protocol: 'TCP' }] },
      { from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: '9000', protocol: 'TCP' }] },
    ]);
  });

  it('opens gRPC 8081 only where the environment enables it, and only to its client namespaces', () => {
    const dev = byName(stack('inference-dev'), 'kubernetes_network_policy_v1', 'inference');
    expect(dev.spec.ingress).toContainEqual({
      from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ml-clients' } } }],
      ports: [{ port: '8081', protocol: 'TCP' }],
    });
    for (const env of ['staging', 'prod']) {
      const ports = byName(stack(`inference-${env}`), 'kubernetes_network_policy_v1', 'inference').spec.ingress.flatMap((r: { ports: Array<{ port: string }> }) => r.ports.map((p) => p.port));
      expect(ports, env).toEqual(['8080', '9000']);
    }
  });

  it('refuses gRPC without client namespaces', () => {
    const app = Testing.app();
    const scope = new TerraformStack(app, 'firewall-test');
    const props = { namespace: 'inference', podLabels: { app: 'inference' }, gatewayNamespace: 'gateway', monitoringNamespace: 'monitoring', redis: { podLabels: { app: 'redis' }, port: 6379 } };
    expect(() => new Firewall(scope, 'fw', { ...props, grpc: { clientNamespaces: [] } })).toThrow(/grpc\.clientNamespaces is empty/);
  });

  it('allows DNS over UDP and TCP to kube-dns, Redis and the OTLP collector, nothing else without an identity provider', () => {
    const egress = byName(s, 'kubernetes_network_policy_v1', 'inference').spec.egress;
    expect(egress[0].ports).toEqual([
      { port: '53', protocol: 'UDP' },
      { port: '53', protocol: 'TCP' },
    ]);
    expect(egress[0].to[0].pod_selector.match_labels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(egress[1]).toEqual({ to: [{ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/part-of': 'vertical-inference' } } }], ports: [{ port: '6379', protocol: 'TCP' }] });
    expect(egress[2]).toEqual({
      to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'logging' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'jaeger', 'app.kubernetes.io/instance': 'jaeger' } } }],
      ports: [{ port: '4318', protocol: 'TCP' }],
    });
    expect(egress).toHaveLength(3);
  });

  it('opens HTTPS to the identity provider for JWKS where one is configured (prod)', () => {
    const egress = byName(stack('inference-prod'), 'kubernetes_network_policy_v1', 'inference').spec.egress;
    expect(egress[2]).toEqual({ to: [{ ip_block: { cidr: '203.0.113.0/24' } }], ports: [{ port: '443', protocol: 'TCP' }] });
  });

  it('gives every Deployment of the namespace an allow-list policy that selects its pods', () => {
    const policies = resources(s, 'kubernetes_network_policy_v1') as any[];
    const deployments = resources(s, 'kubernetes_deployment_v1') as any[];
    expect(deployments.length).toBeGreaterThanOrEqual(3);
    for (const d of deployments) {
      const labels: Record<string, string> = d.spec.template.metadata.labels;
      const selecting = policies.filter(
        (p) =>
          p.metadata.namespace === d.metadata.namespace &&
          p.spec.pod_selector.match_labels &&
          Object.entries(p.spec.pod_selector.match_labels).every(([k, v]) => labels[k] === v),
      );
      expect(selecting.map((p) => p.metadata.name), d.metadata.name).not.toEqual([]);
    }
  });
});
