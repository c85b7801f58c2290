/**
 * Progressive delivery and availability: the canary's first exposure never exceeds the SLO's first step, and
 * outside dev the stable service autoscales from at least two replicas and is protected by a
 * PodDisruptionBudget.
 */
import { firstCanaryStep } from '../slo.js';
import type { Rule, RuleContext, Verdict } from '../engine/rule.js';
import { block, blocks, num, str } from '../engine/values.js';
import { manifests } from '../kubernetes/objects.js';
import { autoscalers, disruptionBudgets } from '../kubernetes/scaling.js';
import { matchesSelector } from '../kubernetes/selectors.js';
import { isCanary, isInferenceWorkload, workloads, type Workload } from '../kubernetes/workloads.js';
import { kubeLinter, repo, seed } from './sources.js';

const isCanaryBackend = (name: string): boolean => /canary/i.test(name);

const canaryFirstStep: Rule = {
  id: 'rollout.canary-first-step',
  rationale: `A new version first gets at most slo.canarySteps[0] (${firstCanaryStep} %) of unpinned traffic; more is a big-bang release.`,
  sources: [seed('first canary step 20 %, then 100 %', repo.slo), { title: 'Gateway API HTTPRoute backendRefs weight', url: 'https://gateway-api.sigs.k8s.io/api-types/httproute/#backendrefs-optional' }],
  refs: [],
  fix: `Set the environment's canaryWeight (the HTTPRoute canary backendRef weight) to at most ${firstCanaryStep} %.`,
  check: (ctx) => {
    const out: Verdict[] = [];
    for (const route of manifests(ctx.stack, 'HTTPRoute')) {
      blocks(block(route.body, 'spec'), 'rules').forEach((rule, i) => {
        const refs = blocks(rule, 'backend_refs').map((b) => ({ name: str(b, 'name') ?? '', weight: num(b, 'weight') ?? 1 }));
        const canary = refs.filter((r) => isCanaryBackend(r.name));
        if (canary.length === 0) return;
        const total = refs.reduce((s, r) => s + r.weight, 0);
        const share = total > 0 ? (100 * canary.reduce((s, r) => s + r.weight, 0)) / total : 0;
        // A rule that sends everything to the canary is fine only when it is the pinned gate rule (header match).
        const pinned = refs.length === canary.length && blocks(rule, 'matches').some((m) => blocks(m, 'headers').length > 0);
        const ok = pinned || share <= firstCanaryStep;
        out.push({ resource: route.resource.address, detail: `HTTPRoute ${route.name} rule ${i + 1}`, ok, message: pinned ? 'header-pinned canary rule (gate traffic)' : `canary gets ${Math.round(share * 100) / 100} % of traffic (first step ${firstCanaryStep} %)` });
      });
    }
    return out;
  },
};

function stableInference(ctx: RuleContext): Workload[] {
  if (ctx.stack.environment === 'dev') return [];
  return workloads(ctx.stack).filter((w) => w.kind === 'deployment' && isInferenceWorkload(w) && !isCanary(w));
}

const hpaMinReplicas: Rule = {
  id: 'rollout.hpa-min-replicas',
  rationale: 'Outside dev one replica is one node drain away from an outage; the autoscaler keeps at least two.',
  sources: [seed('HPA min replicas ≥ 2 outside dev', 'docs/architecture.md'), kubeLinter('minimum-three-replicas')],
  refs: ['kube-linter:minimum-three-replicas'],
  fix: 'Add a HorizontalPodAutoscaler (or KEDA ScaledObject) for the Deployment with min_replicas ≥ 2 in staging and prod.',
  check: (ctx) => {
    const scalers = ctx.environmentStacks.flatMap((s) => autoscalers(s));
    return stableInference(ctx).map((w) => {
      const mine = scalers.filter((a) => a.namespace === w.namespace && a.targetName === w.name && a.targetKind === 'Deployment');
      const best = Math.max(...mine.map((a) => a.minReplicas ?? 1), 0);
      const ok = mine.length > 0 && best >= 2;
      return { resource: w.resource.address, detail: '', ok, message: mine.length ? `autoscaler min replicas ${best}` : `no autoscaler targets deployment ${w.name}` };
    });
  },
};

const pdb: Rule = {
  id: 'rollout.pod-disruption-budget',
  rationale: 'Node upgrades and Karpenter consolidation evict pods; a PodDisruptionBudget keeps serving replicas up while they do.',
  sources: [seed('PodDisruptionBudget outside dev', 'docs/architecture.md'), { title: 'Kubernetes: Specifying a Disruption Budget', url: 'https://kubernetes.io/docs/tasks/run-application/configure-pdb/' }],
  refs: [],
  fix: 'Add a PodDisruptionBudget whose selector matches the Deployment\'s pod labels (e.g. max_unavailable = 1).',
  check: (ctx) => {
    const budgets = ctx.environmentStacks.flatMap((s) => disruptionBudgets(s));
    return stableInference(ctx).map((w) => {
      const mine = budgets.filter((b) => b.namespace === w.namespace && b.selector !== undefined && matchesSelector(b.selector, w.podLabels));
      return { resource: w.resource.address, detail: '', ok: mine.length > 0, message: mine.length ? `protected by ${mine.map((b) => b.address).join(', ')}` : 'no PodDisruptionBudget selects these pods' };
    });
  },
};

export const rolloutRules: readonly Rule[] = [canaryFirstStep, hpaMinReplicas, pdb];
