import { describe, expect, it } from 'vitest';
import '../../test/matchers.js';
import { loadEnvironment } from '../../environments/index.js';
import { manifest, manifests, resources, stack } from '../../test/synth.js';
import { renderHttpRoute } from './httproute.js';
import { canaryPinHeader } from './route-model.js';

const prod = stack('inference-prod');

describe('the canary HTTPRoute', () => {
  const route = manifest(prod, 'HTTPRoute');

  it('splits unpinned traffic stable/canary by the environment weight (dev: 80/20)', () => {
    expect(loadEnvironment('dev').canaryWeight).toBe(20);
    const split = manifest(stack('inference-dev'), 'HTTPRoute').spec.rules[1];
    expect(split.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(split.backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'inference-stable', port: 8080, weight: 80 },
      { group: '', kind: 'Service', name: 'inference-canary', port: 8080, weight: 20 },
    ]);
  });

  it('sends every unpinned request to stable while prod rests at weight 0', () => {
    expect(loadEnvironment('prod').canaryWeight).toBe(0);
    expect(route.spec.rules[1].backendRefs.map((b: { name: string; weight: number }) => [b.name, b.weight])).toEqual([
      ['inference-stable', 100],
      ['inference-canary', 0],
    ]);
  });

  it('pins requests with `x-canary: always` to the canary', () => {
    const pinned = route.spec.rules[0];
    expect(pinned.matches[0].headers).toEqual([{ type: 'Exact', name: 'x-canary', value: 'always' }]);
    expect(pinned.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'inference-canary', port: 8080, weight: 1 }]);
  });

  it('attaches to the HTTPS listener of the Gateway for the environment hostnames', () => {
    expect(route.spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'inference', namespace: 'gateway', sectionName: 'https' },
    ]);
    expect(route.spec.hostnames).toEqual(loadEnvironment('prod').tls.hostnames);
  });

  it('rejects an invalid weight when rendered', () => {
    const model = {
      hostnames: ['a.example.com'],
      pathPrefix: '/',
      stable: { name: 's', port: 8080 },
      canary: { name: 'c', port: 8080 },
      canaryWeight: 120,
      pinHeader: canaryPinHeader,
    };
    expect(() => renderHttpRoute(model, 'r', 'ns', { name: 'g', namespace: 'gateway', sectionName: 'https' })).toThrow(/canaryWeight/);
  });
});

describe('the Gateway', () => {
  it('has only an HTTPS listener terminating TLS with the cert-manager certificate', () => {
    const gateway = manifest(prod, 'Gateway');
    expect(gateway.spec.listeners).toHaveLength(1);
    expect(gateway.spec.listeners[0]).toMatchObject({
      protocol: 'HTTPS',
      port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'inference-tls' }] },
    });
    const cert = manifest(prod, 'Certificate');
    expect(cert.spec).toMatchObject({ secretName: 'inference-tls', dnsNames: ['inference.example.com'] });
  });

  it('uses ACME DNS-01 in prod and a self-signed issuer in dev', () => {
    expect(manifest(prod, 'ClusterIssuer').spec.acme.solvers[0].dns01.route53).toEqual({ region: 'eu-west-1', hostedZoneID: 'Z0123456789PROD' });
    expect(manifest(stack('inference-dev'), 'ClusterIssuer').spec).toEqual({ selfSigned: {} });
  });

  it('follows the environment controller: HAProxy in prod (own GatewayClass), NGINX Gateway Fabric in dev', () => {
    expect(manifest(prod, 'GatewayClass').spec.controllerName).toBe('gate.haproxy.org/hug');
    expect(manifest(prod, 'Gateway').spec.gatewayClassName).toBe('haproxy');
    expect(manifests(stack('inference-dev'), 'GatewayClass')).toEqual([]);
    expect(manifest(stack('inference-dev'), 'Gateway').spec.gatewayClassName).toBe('nginx');
    expect(stack('platform-dev').raw).toHaveResourceWithProperties('helm_release', {
      chart: 'nginx-gateway-fabric',
      repository: 'oci://ghcr.io/nginx/charts',
      version: '2.7.2',
    });
    expect(stack('platform-prod').raw).toHaveResourceWithProperties('helm_release', {
      chart: 'haproxy-unified-gateway',
      version: '1.2.0',
    });
  });

  it('gives cert-manager DNS-01 rights through workload identity, not stored credentials', () => {
    const certManager = resources(stack('platform-prod'), 'helm_release').find((r: any) => r.chart === 'cert-manager') as any;
    expect(certManager.values[0]).toContain('eks.amazonaws.com/role-arn: arn:aws:iam::444455556666:role/cert-manager-route53-prod');
    expect(manifest(prod, 'ClusterIssuer').spec.acme.solvers[0].dns01.route53).not.toHaveProperty('secretAccessKeySecretRef');
  });

  it('installs Gateway API CRDs and cert-manager at exact versions', () => {
    const releases = resources(stack('platform-staging'), 'helm_release') as { chart: string; version: string }[];
    const version = (chart: string) => releases.find((r) => r.chart === chart)?.version;
    expect(version('gateway-api-crds')).toBe('1.6.0');
    expect(version('cert-manager')).toBe('v1.20.2');
  });
});
