/**
 * The seed's firewall: default-deny NetworkPolicies, every pod selected by a policy, and only the ports the
 * inference service declares reachable on it — the API port(s) and the metrics port its settings open (PORT,
 * METRICS_PORT, GRPC_PORT when GRPC_ENABLED; kubernetes/service-ports.ts) — in its containers, its Services and the
 * NetworkPolicies that admit traffic to it. The seed said "only 8080 and 9000"; docs/adr/0004-grpc-api.md says why
 * the rule now follows the service's declaration (gRPC on 8081 where an environment enables it).
 */
import type { Rule, RuleContext, Verdict } from '../engine/rule.js';
import { blocks, num, str } from '../engine/values.js';
import { eachWorkload } from '../kubernetes/containers.js';
import { isEmptySelector, networkPolicies, rulePorts, services, type NetworkPolicy } from '../kubernetes/network-policies.js';
import { matchesSelector, matchesServiceSelector } from '../kubernetes/selectors.js';
import { declaredPorts } from '../kubernetes/service-ports.js';
import { isInferenceWorkload, workloads, type Workload } from '../kubernetes/workloads.js';
import { checkov, kubeLinter, seed } from './sources.js';


function policiesOf(ctx: RuleContext): NetworkPolicy[] {
  return ctx.environmentStacks.flatMap((s) => networkPolicies(s));
}

function defaultDenies(policies: readonly NetworkPolicy[], namespace: string, direction: 'Ingress' | 'Egress'): NetworkPolicy[] {
  return policies.filter(
    (p) =>
      p.namespace === namespace &&
      isEmptySelector(p.podSelector) &&
      p.policyTypes.includes(direction) &&
      (direction === 'Ingress' ? p.ingress : p.egress).length === 0,
  );
}

const defaultDeny: Rule = {
  id: 'network.default-deny',
  rationale: 'Every namespace that runs our pods starts from deny-all for ingress and egress; allows are added one by one.',
  sources: [seed('default-deny NetworkPolicies (ingress and egress)', 'docs/architecture.md'), { title: 'Kubernetes: default deny all ingress and all egress', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies' }],
  refs: [],
  fix: 'Add a NetworkPolicy with pod_selector {} and policy_types ["Ingress", "Egress"] and no rules in the namespace.',
  check: (ctx) => {
    const policies = policiesOf(ctx);
    const byNamespace = new Map<string, Workload>();
    for (const w of workloads(ctx.stack)) if (!byNamespace.has(w.namespace)) byNamespace.set(w.namespace, w);
    const out: Verdict[] = [];
    for (const [namespace, first] of byNamespace) {
      const missing = (['Ingress', 'Egress'] as const).filter((d) => defaultDenies(policies, namespace, d).length === 0);
      out.push({
        resource: first.resource.address,
        detail: `namespace ${namespace}`,
        ok: missing.length === 0,
        message: missing.length ? `no default-deny ${missing.join(' and ')} policy in namespace ${namespace}` : `default-deny ingress and egress in ${namespace}`,
      });
    }
    return out;
  },
};

const selectsEveryPod: Rule = {
  id: 'network.policy-selects-pod',
  rationale: 'A pod that no NetworkPolicy selects is open to every other pod in the cluster.',
  sources: [checkov('CKV2_K8S_6', 'Minimize the admission of pods which lack an associated NetworkPolicy'), kubeLinter('non-isolated-pod')],
  refs: ['CKV2_K8S_6', 'kube-linter:non-isolated-pod'],
  fix: 'Add (or widen) a NetworkPolicy in the namespace whose pod_selector matches the pod template labels.',
  check: (ctx) => {
    const policies = policiesOf(ctx);
    return eachWorkload(ctx, (w) => {
      // An operator adds labels to a podTemplate's pods; only namespace-wide policies are certain to select them.
      const selects = (p: NetworkPolicy): boolean => (w.partial ? isEmptySelector(p.podSelector) : matchesSelector(p.podSelector, w.podLabels));
      const selecting = policies.filter((p) => p.namespace === w.namespace && selects(p));
      return { ok: selecting.length > 0, message: selecting.length ? `selected by ${selecting.map((p) => p.name).join(', ')}` : 'no NetworkPolicy selects these pods' };
    });
  },
};

/** Resolves a numeric or named port against the workload's container ports. */
function resolvePort(w: Workload, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  for (const c of w.containers) {
    for (const p of blocks(c.body, 'port', 'ports')) if (str(p, 'name') === port) return num(p, 'container_port');
  }
  return undefined;
}

function describe(ports: readonly (number | undefined | string)[]): string {
  return ports.map((p) => (p === undefined ? 'unresolved' : String(p))).join(', ');
}

const apiPortsOnly: Rule = {
  id: 'network.service-ports-only',
  rationale:
    'Only the ports the inference service declares may be reachable on it: the API port(s) and the metrics port its settings open (PORT 8080, METRICS_PORT 9000, and GRPC_PORT 8081 only where GRPC_ENABLED=true).',
  sources: [seed('only the API and metrics ports reachable on the service (8080 and 9000 in the seed)', 'docs/architecture.md'), kubeLinter('ssh-port')],
  refs: ['kube-linter:ssh-port'],
  fix: 'Remove other container ports, Service ports and NetworkPolicy ingress ports; every ingress rule must list only ports the service declares (PORT, METRICS_PORT, GRPC_PORT with GRPC_ENABLED=true), or declare the listener in the service settings.',
  check: (ctx) => {
    const out: Verdict[] = [];
    const policies = policiesOf(ctx);
    const svc = ctx.environmentStacks.flatMap((s) => services(s));
    for (const w of workloads(ctx.stack).filter(isInferenceWorkload)) {
      const declared = declaredPorts(ctx.environmentStacks, w);
      const allowedPorts = [...new Set(Object.values(declared.ports))];
      const allowed = allowedPorts.join('/');
      if (declared.unresolved.length > 0) {
        out.push({ resource: w.resource.address, detail: 'declared ports', ok: false, message: `${declared.unresolved.join(', ')} is not a literal setting, so the declared ports are unknown` });
      }
      const containerPorts = w.containers.flatMap((c) => blocks(c.body, 'port', 'ports').map((p) => num(p, 'container_port')));
      const badContainer = containerPorts.filter((p) => p === undefined || !allowedPorts.includes(p));
      out.push({ resource: w.resource.address, detail: 'container ports', ok: badContainer.length === 0, message: badContainer.length ? `container ports ${describe(badContainer)} are not ${allowed}` : `container ports ${describe(containerPorts)}` });
      for (const s of svc.filter((s) => s.namespace === w.namespace && matchesServiceSelector(s.selector, w.podLabels))) {
        const targets = s.ports.map((p) => resolvePort(w, p.targetPort ?? p.port ?? -1));
        const bad = targets.filter((p) => p === undefined || !allowedPorts.includes(p));
        out.push({ resource: s.address, detail: `service ${s.name}`, ok: bad.length === 0, message: bad.length ? `service targets ports ${describe(bad)}, not ${allowed}` : `service targets ${describe(targets)}` });
      }
      for (const p of policies.filter((p) => p.namespace === w.namespace && matchesSelector(p.podSelector, w.podLabels) && p.policyTypes.includes('Ingress'))) {
        const problems: string[] = [];
        for (const rule of p.ingress) {
          const ports = rulePorts(rule);
          if (ports.length === 0) problems.push('an ingress rule without ports (allows every port)');
          const resolved = ports.map((x) => resolvePort(w, x));
          const bad = resolved.filter((x) => x === undefined || !allowedPorts.includes(x));
          if (bad.length) problems.push(`ingress to ports ${describe(bad)}, not ${allowed}`);
        }
        out.push({ resource: p.address, detail: `network policy ${p.name}`, ok: problems.length === 0, message: problems.length ? problems.join('; ') : `ingress only to declared ports ${allowed}` });
      }
    }
    return out;
  },
};

export const networkRules: readonly Rule[] = [defaultDeny, selectsEveryPod, apiPortsOnly];
