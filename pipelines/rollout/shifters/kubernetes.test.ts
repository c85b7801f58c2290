import { describe, expect, it } from 'vitest';
import { canaryWeightOf, weightPatch, type HttpRoute } from './kubernetes.js';

/** The shape stacks/components/gateway renders: a pinned rule (header match) and a weighted split rule. */
const route: HttpRoute = {
  metadata: { resourceVersion: '4711' },
  spec: {
    rules: [
      { matches: [{ headers: [{ name: 'x-canary', value: 'always' }] }], backendRefs: [{ name: 'inference-canary', weight: 1 }] },
      { backendRefs: [{ name: 'inference-stable', weight: 100 }, { name: 'inference-canary', weight: 0 }] },
    ],
  },
};

describe('Kubernetes shifter patch', () => {
  it('replaces only the split rule weights, guarded by the resourceVersion', () => {
    expect(weightPatch(route, 'inference-stable', 'inference-canary', 20)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '4711' },
      { op: 'replace', path: '/spec/rules/1/backendRefs/0/weight', value: 80 },
      { op: 'replace', path: '/spec/rules/1/backendRefs/1/weight', value: 20 },
    ]);
    expect(canaryWeightOf(route, 'inference-stable', 'inference-canary')).toBe(0);
  });

  it('refuses a route without a rule splitting between both services', () => {
    expect(() => weightPatch(route, 'other-stable', 'inference-canary', 20)).toThrow(/no rule sending traffic to both other-stable and inference-canary/);
  });
});
