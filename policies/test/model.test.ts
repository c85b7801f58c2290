/** Reading Terraform JSON from any tool: list-form blocks, manifests in camelCase, folders and files on disk. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStacks } from '../check.js';
import { InputError, loadStacks } from '../engine/load.js';
import { stackFromJson } from '../engine/model.js';
import { compliantJson } from '../fixtures/stacks.js';
import { workloads } from '../kubernetes/workloads.js';
import { parseQuantity } from '../kubernetes/quantity.js';

const dir = mkdtempSync(join(tmpdir(), 'policy-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Terraform JSON model', () => {
  it('reads HCL-converted JSON where every block is a one-element list', () => {
    const hclStyle = {
      resource: [{ kubernetes_pod_v1: [{ debug: [{ metadata: [{ name: 'debug', namespace: 'tools' }], spec: [{ host_pid: true, container: [{ name: 'sh', image: 'busybox' }] }] }] }] }],
    };
    const stack = stackFromJson('tools', [hclStyle]);
    expect(stack.resources.map((r) => r.address)).toEqual(['kubernetes_pod_v1.debug']);
    const failed = checkStacks([stack]).results.filter((r) => r.outcome === 'fail').map((r) => r.rule);
    expect(failed).toContain('pss.host-namespaces');
    expect(failed).toContain('supply.image-digest');
    expect(failed).toContain('supply.terraform-version');
  });

  it('finds pod specs in kubernetes_manifest Deployments (camelCase, containers list)', () => {
    const stack = stackFromJson('x-dev', [{
      resource: { kubernetes_manifest: { web: { manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { hostNetwork: true, containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { privileged: true } }] } } } } } } },
    }]);
    const [w] = workloads(stack);
    expect([w?.kind, w?.name, w?.namespace, w?.podLabels]).toEqual(['deployment', 'web', 'web', { app: 'web' }]);
    const failed = checkStacks([stack]).results.filter((r) => r.outcome === 'fail').map((r) => r.rule);
    expect(failed).toEqual(expect.arrayContaining(['pss.host-namespaces', 'pss.privileged', 'workload.liveness-probe']));
  });

  it('judges podTemplates inside operator resources, leaving image, probes and resources to the operator', () => {
    const kibana = (containerSecurity: object) => stackFromJson('logging-dev', [{
      resource: { kubernetes_manifest: { kibana: { manifest: { apiVersion: 'kibana.k8s.elastic.co/v1', kind: 'Kibana', metadata: { name: 'kibana', namespace: 'logging' }, spec: { version: '9.4.3', podTemplate: { spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'kibana', securityContext: containerSecurity }] } } } } } } },
    }]);
    const [w] = workloads(kibana({}));
    expect([w?.kind, w?.partial, w?.name]).toEqual(['pod_template', true, 'Kibana kibana spec.podTemplate']);
    const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
    const judged = checkStacks([kibana(hardened)]).results.filter((r) => r.resource === 'kubernetes_manifest.kibana');
    expect(judged.filter((r) => r.outcome === 'fail').map((r) => r.rule)).toEqual(['network.default-deny', 'network.policy-selects-pod']);
    expect(judged.map((r) => r.rule)).not.toContain('workload.liveness-probe');
    expect(judged.map((r) => r.rule)).not.toContain('supply.image-digest');
    const bare = checkStacks([kibana({})]).results.filter((r) => r.outcome === 'fail').map((r) => r.rule);
    expect(bare).toEqual(expect.arrayContaining(['pss.allow-privilege-escalation', 'pss.drop-all-capabilities', 'workload.read-only-root-fs']));
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('1Ti')).toBe(2 ** 40);
    expect(parseQuantity('1024Gi')).toBe(2 ** 40);
    expect(parseQuantity('1T')).toBe(1e12);
    expect(parseQuantity('${var.size}')).toBeUndefined();
  });
});

describe('loading from disk', () => {
  const f = compliantJson();
  const out = join(dir, 'cdktf.out');
  for (const [name, json] of [['platform-staging', f.platform], ['inference-staging', f.inference]] as const) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
  }
  const plain = join(dir, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'main.tf.json'), JSON.stringify({ resource: f.inference['resource'] }));
  writeFileSync(join(plain, 'versions.tf.json'), JSON.stringify({ terraform: f.inference['terraform'] }));

  it('a cdktf output folder yields one stack per stacks/<name>', () => {
    expect(loadStacks(out).map((s) => [s.name, s.environment])).toEqual([['inference-staging', 'staging'], ['platform-staging', 'staging']]);
  });

  it('a stack folder merges its *.tf.json files; a cdk.tf.json is named after its folder', () => {
    const [merged] = loadStacks(plain);
    const declared = Object.values(f.inference['resource'] as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
    expect([merged?.name, merged?.settings.requiredVersion, merged?.resources.length]).toEqual(['plain', '>= 1.5, < 2.0', declared]);
    expect(loadStacks(join(out, 'stacks', 'inference-staging', 'cdk.tf.json')).map((s) => s.name)).toEqual(['inference-staging']);
  });

  it('missing paths, empty folders and broken JSON are input errors naming the path', () => {
    expect(() => loadStacks(join(dir, 'nope'))).toThrow(/nope: no such file or folder/);
    mkdirSync(join(dir, 'empty'));
    expect(() => loadStacks(join(dir, 'empty'))).toThrow(/no \*\.tf\.json files found/);
    writeFileSync(join(dir, 'broken.tf.json'), '{ "resource": ');
    expect(() => loadStacks(join(dir, 'broken.tf.json'))).toThrow(InputError);
    expect(() => loadStacks(join(dir, 'broken.tf.json'))).toThrow(/broken.tf.json: not valid JSON/);
  });
});
