/**
 * PolicyAspect fails synthesis: a real cdktf App with a real provider resource, synthesized into a temp folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPolicies } from '../aspect.js';
import { findRule } from '../rules/index.js';
import type { Rule } from '../engine/rule.js';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function appWith(limits: Record<string, string>): { app: App; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'policy-aspect-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'inference-dev');
  new KubernetesProvider(stack, 'k8s', { configPath: '~/.kube/config' });
  new DeploymentV1(stack, 'stable', {
    metadata: { name: 'inference-stable', namespace: 'inference' },
    spec: {
      selector: { matchLabels: { app: 'inference' } },
      template: { metadata: { labels: { app: 'inference' } }, spec: { container: [{ name: 'inference', image: 'x:1', resources: { limits } }] } },
    },
  });
  return { app, outdir };
}

const rules = (...ids: string[]): Rule[] => ids.map((id) => findRule(id) as Rule);

describe('PolicyAspect', () => {
  it('fails app.synth() with the rule id, resource and fix when a container has no CPU limit', () => {
    const { app, outdir } = appWith({ memory: '1Gi' });
    applyPolicies(app, { rules: rules('workload.cpu-limits', 'workload.memory-limits'), waivers: [] });
    expect(() => app.synth()).toThrow(/\[policy workload\.cpu-limits\] kubernetes_deployment_v1\.stable \(container inference\): no limits\.cpu — fix: Set resources\.limits\.cpu/);
    // The failing stack is not written.
    expect(existsSync(join(outdir, 'stacks', 'inference-dev', 'cdk.tf.json'))).toBe(false);
  });

  it('lets synth through when the same rules pass', () => {
    const { app, outdir } = appWith({ cpu: '1', memory: '1Gi' });
    applyPolicies(app, { rules: rules('workload.cpu-limits', 'workload.memory-limits'), waivers: [] });
    app.synth();
    expect(existsSync(join(outdir, 'stacks', 'inference-dev', 'cdk.tf.json'))).toBe(true);
  });

  it('reports every violation of the full registry at once, and honours waivers', () => {
    const { app } = appWith({ cpu: '1' });
    applyPolicies(app, { waivers: [] });
    let message = '';
    try {
      app.synth();
    } catch (err) {
      message = (err as Error).message;
    }
    for (const id of ['workload.memory-limits', 'workload.liveness-probe', 'supply.image-digest', 'pss.run-as-non-root', 'network.default-deny']) {
      expect(message).toContain(`[policy ${id}]`);
    }
    const waived = appWith({ cpu: '1' });
    applyPolicies(waived.app, { rules: rules('workload.memory-limits'), waivers: [{ rule: 'workload.memory-limits', resource: 'inference-dev/kubernetes_deployment_v1.stable', reason: 'test', expires: '2999-12-31' }] });
    expect(() => waived.app.synth()).not.toThrow();
  });
});
