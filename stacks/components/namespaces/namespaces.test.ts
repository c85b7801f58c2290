import { describe, expect, it } from 'vitest';
import { resources, stack } from '../../test/synth.js';
import { namespacePolicies } from './index.js';

describe('namespaces', () => {
  const all = resources(stack('platform-prod'), 'kubernetes_namespace_v1') as any[];
  const labels = (name: string) => all.find((n) => n.metadata.name === name).metadata.labels;

  it('enforce Pod Security "restricted" for the service namespace', () => {
    expect(labels('inference')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  it('record a reason on every namespace below restricted, and still warn at restricted', () => {
    for (const ns of all) {
      const level = ns.metadata.labels['pod-security.kubernetes.io/enforce'];
      expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
      if (level !== 'restricted') expect(ns.metadata.annotations['blueprint.dev/pod-security-exception']).toMatch(/^.{20,}$/);
    }
    expect(Object.values(namespacePolicies).filter((p) => p.level === 'restricted').length).toBeGreaterThanOrEqual(3);
  });

  it('never use the default namespace', () => {
    const everything = JSON.stringify([...['dev', 'staging', 'prod'].flatMap((e) => [stack(`platform-${e}`).json, stack(`inference-${e}`).json])]);
    expect(everything).not.toMatch(/"namespace":\s*"default"/);
  });
});
