/**
 * The real stacks (stacks/app.ts, every environment) pass every rule — and the mutation checks: break the
 * synthesized JSON the way a careless pull request would and the right rule must catch it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../stacks/app.js';
import { loadEnvironment } from '../../stacks/environments/index.js';
import { checkStacks, defaultWaivers } from '../check.js';
import { loadStacks } from '../engine/load.js';
import { stackFromJson, type StackDoc } from '../engine/model.js';
import { gpuMemoryOf, minGpuMemoryGiB } from '../catalog/gpus.js';
import type { Json } from '../fixtures/stacks.js';

const outdir = mkdtempSync(join(tmpdir(), 'policy-real-'));
let stacks: StackDoc[] = [];
let raw = new Map<string, Json>();

beforeAll(() => {
  // The PolicyAspect is part of buildApp: synth itself fails on any violation.
  buildApp({ outdir }).synth();
  stacks = loadStacks(outdir);
  raw = new Map(stacks.map((s) => [s.name, JSON.parse(readFileSync(s.sources[0] as string, 'utf8')) as Json]));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Resources of `type` in a stack's JSON whose body satisfies `pick`. */
function resources(json: Json, type: string, pick: (body: Json) => boolean = () => true): Json[] {
  const byName = ((json['resource'] as Json | undefined)?.[type] ?? {}) as Record<string, Json>;
  return Object.values(byName).filter(pick);
}
const manifestsOf = (json: Json, kind: string): Json[] => resources(json, 'kubernetes_manifest', (b) => (b['manifest'] as Json)['kind'] === kind).map((b) => b['manifest'] as Json);
const named = (name: string) => (b: Json): boolean => (b['metadata'] as Json | undefined)?.['name'] === name;

/** Runs the rules on one environment after mutating a copy of one stack's JSON. */
function failuresAfter(env: string, stack: 'platform' | 'inference', mutate: (json: Json) => void): string[] {
  const copies = new Map([...raw].map(([k, v]) => [k, structuredClone(v)]));
  const target = copies.get(`${stack}-${env}`);
  if (!target) throw new Error(`no stack ${stack}-${env}`);
  mutate(target);
  const docs = [...copies].filter(([k]) => k.endsWith(`-${env}`)).map(([k, v]) => stackFromJson(k, [v]));
  return [...new Set(checkStacks(docs, { waivers: defaultWaivers() }).results.filter((r) => r.outcome === 'fail').map((r) => r.rule))].sort();
}

const stableContainer = (json: Json): Json => {
  const [dep] = resources(json, 'kubernetes_deployment_v1', named('inference-stable'));
  const spec = ((dep?.['spec'] as Json)['template'] as Json)['spec'] as Json;
  return (spec['container'] as Json[])[0] as Json;
};

describe('the real stacks', () => {
  const envs = ['dev', 'staging', 'prod'];

  it('synthesize both stacks of every environment, with the PolicyAspect attached, and pass every rule', () => {
    expect(stacks.map((s) => s.name).sort()).toEqual(envs.flatMap((e) => [`inference-${e}`, `platform-${e}`]).sort());
    const report = checkStacks(stacks, { waivers: defaultWaivers() });
    expect(report.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    expect(report.summary.pass).toBeGreaterThan(300);
    // The only exceptions are the reviewed ones in policies/waivers.yaml (Filebeat's host log access).
    expect([...new Set(report.results.filter((r) => r.outcome === 'waived').map((r) => `${r.rule} ${r.resource.replace(/_[0-9A-F]{8}$/, '')}`))].sort()).toEqual([
      'pss.namespace-enforce kubernetes_namespace_v1.namespaces_logging',
      'pss.run-as-non-root kubernetes_manifest.logging_filebeat',
      'pss.run-as-user kubernetes_manifest.logging_filebeat',
      'pss.volume-types kubernetes_manifest.logging_filebeat',
      'workload.service-account-token kubernetes_manifest.logging_filebeat',
    ]);
  });

  it('the GPU pools of every environment were judged against the catalog (not silently skipped)', () => {
    for (const env of envs) {
      const judged = checkStacks(stacks.filter((s) => s.environment === env), { waivers: defaultWaivers() }).results.filter((r) => r.rule.startsWith('gpu.') && r.detail !== '');
      expect(judged.length, env).toBeGreaterThan(0);
    }
  });

  describe('mutations', () => {
    it('remove the limits of the stable service container → workload.cpu-limits and workload.memory-limits', () => {
      const failed = failuresAfter('prod', 'inference', (json) => void delete (stableContainer(json)['resources'] as Json)['limits']);
      expect(failed).toEqual(['workload.cpu-limits', 'workload.memory-limits']);
    });

    it('open port 22 on the service: container port, Service port, NetworkPolicy ingress → network.service-ports-only', () => {
      expect(failuresAfter('staging', 'inference', (json) => void (stableContainer(json)['port'] as Json[]).push({ name: 'ssh', container_port: 22 }))).toEqual(['network.service-ports-only']);
      expect(
        failuresAfter('staging', 'inference', (json) => {
          const [svc] = resources(json, 'kubernetes_service_v1', named('inference-stable'));
          ((svc?.['spec'] as Json)['port'] as Json[]).push({ name: 'ssh', port: 22, target_port: '22' });
        }),
      ).toEqual(['network.service-ports-only']);
      expect(
        failuresAfter('staging', 'inference', (json) => {
          const [np] = resources(json, 'kubernetes_network_policy_v1', named('inference'));
          ((np?.['spec'] as Json)['ingress'] as Json[]).push({ ports: [{ port: '22', protocol: 'TCP' }] });
        }),
      ).toEqual(['network.service-ports-only']);
    });

    it('open gRPC 8081 where the environment does not enable it, or stop declaring it where it does → network.service-ports-only', () => {
      expect(
        failuresAfter('staging', 'inference', (json) => {
          (stableContainer(json)['port'] as Json[]).push({ name: 'grpc', container_port: 8081, protocol: 'TCP' });
          const [np] = resources(json, 'kubernetes_network_policy_v1', named('inference'));
          ((np?.['spec'] as Json)['ingress'] as Json[]).push({ ports: [{ port: '8081', protocol: 'TCP' }] });
        }),
      ).toEqual(['network.service-ports-only']);
      expect(
        failuresAfter('dev', 'inference', (json) => {
          const [config] = resources(json, 'kubernetes_config_map_v1', named('inference-config'));
          delete (config?.['data'] as Json)['GRPC_ENABLED'];
        }),
      ).toEqual(['network.service-ports-only']);
    });

    it('set the canary to 50 % in the HTTPRoute → rollout.canary-first-step', () => {
      const failed = failuresAfter('prod', 'inference', (json) => {
        const [route] = manifestsOf(json, 'HTTPRoute');
        for (const rule of ((route?.['spec'] as Json)['rules'] as Json[])) {
          const refs = rule['backendRefs'] as Json[];
          if (refs.length > 1) refs.forEach((r) => (r['weight'] = 50));
        }
      });
      expect(failed).toEqual(['rollout.canary-first-step']);
    });

    it('environment data with canaryWeight 50 (validation bypassed) fails buildApp().synth() through the aspect', () => {
      const app = buildApp({ outdir: join(outdir, 'canary-50'), environments: [{ ...loadEnvironment('staging'), canaryWeight: 50 }] });
      expect(() => app.synth()).toThrow(/\[policy rollout\.canary-first-step\] .*canary gets 50 % of traffic \(first step 20 %\)/);
    });

    it('swap an 80 GB GPU for a 24 GB one in a Karpenter NodePool and a GKE ComputeClass → gpu.*-memory (and the service placed on it)', () => {
      expect(gpuMemoryOf('aws', 'g5.xlarge')).toBeLessThan(minGpuMemoryGiB);
      expect(
        failuresAfter('prod', 'inference', (json) => {
          const pools = manifestsOf(json, 'NodePool');
          expect(pools.length).toBeGreaterThan(0);
          for (const pool of pools) {
            const reqs = ((((pool['spec'] as Json)['template'] as Json)['spec'] as Json)['requirements'] as Json[]);
            for (const r of reqs) if (r['key'] === 'node.kubernetes.io/instance-type') r['values'] = ['g5.xlarge'];
          }
        }),
      ).toEqual(['gpu.nodepool-memory', 'gpu.workload-placement']);
      expect(gpuMemoryOf('gcp', 'g2-standard-8')).toBeLessThan(minGpuMemoryGiB);
      expect(
        failuresAfter('dev', 'inference', (json) => {
          const [cc] = manifestsOf(json, 'ComputeClass');
          const priorities = (cc?.['spec'] as Json)['priorities'] as Json[];
          priorities[0] = { ...priorities[0], machineType: 'g2-standard-8', gpu: { type: 'nvidia-l4', count: 1 } };
        }),
      ).toEqual(['gpu.computeclass-memory', 'gpu.workload-placement']);
    });
  });
});
