/**
 * Nothing of ours lands in the `default` namespace (checkov CKV_K8S_21): default has no NetworkPolicies, no Pod
 * Security labels and no quota, so whatever lands there escapes the firewall and the restricted profile.
 */
import type { StackDoc } from '../engine/model.js';
import type { Rule, Verdict } from '../engine/rule.js';
import { str } from '../engine/values.js';
import { manifests, metaOf, resolveName } from '../kubernetes/objects.js';
import { checkov, checkovTf } from './sources.js';

/** Typed kubernetes resources that are cluster-scoped (everything else of the provider is namespaced). */
const clusterScopedTypes = /^kubernetes_(namespace|cluster_role|cluster_role_binding|storage_class|priority_class|persistent_volume|csi_driver|api_service|runtime_class|mutating_webhook_configuration|validating_webhook_configuration|certificate_signing_request|node_taint|labels|annotations|env|manifest|config_map_v1_data|secret_v1_data|default_service_account)(_v\d+(beta\d+)?)?$/;

/** Namespaced kinds we declare through kubernetes_manifest (CRDs whose scope we know). */
const namespacedKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Service', 'ConfigMap', 'Secret', 'HTTPRoute', 'Gateway', 'GRPCRoute', 'ReferenceGrant', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'Certificate', 'Issuer', 'Elasticsearch', 'Kibana', 'Logstash', 'Beat', 'Agent', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'ScaledObject', 'PodDisruptionBudget']);

function kubernetesVerdicts(stack: StackDoc): Verdict[] {
  const out: Verdict[] = [];
  for (const r of stack.resources) {
    if (!r.type.startsWith('kubernetes_') || clusterScopedTypes.test(r.type)) continue;
    const meta = metaOf(stack, r);
    const ok = meta.namespaceSet && meta.namespace !== 'default';
    out.push({ resource: r.address, detail: meta.name, ok, message: ok ? `namespace ${meta.namespace}` : 'lands in the default namespace' });
  }
  for (const m of manifests(stack)) {
    if (!namespacedKinds.has(m.kind)) continue;
    const ns = resolveName(stack, m.namespace);
    const ok = ns !== undefined && ns !== '' && ns !== 'default';
    out.push({ resource: m.resource.address, detail: `${m.kind} ${m.name}`, ok, message: ok ? `namespace ${ns}` : 'lands in the default namespace' });
  }
  for (const r of stack.resources.filter((r) => r.type === 'helm_release')) {
    const ns = resolveName(stack, str(r.attributes, 'namespace'));
    const ok = ns !== undefined && ns !== '' && ns !== 'default';
    out.push({ resource: r.address, detail: `release ${str(r.attributes, 'name') ?? r.name}`, ok, message: ok ? `namespace ${ns}` : 'release installs into the default namespace' });
  }
  return out;
}

const defaultNamespace: Rule = {
  id: 'namespace.not-default',
  rationale: 'The default namespace has no NetworkPolicies or Pod Security labels; everything we declare names its own namespace.',
  sources: [checkov('CKV_K8S_21', 'The default namespace should not be used'), checkovTf('CKV_K8S_21', 'DefaultNamespace.py')],
  refs: ['CKV_K8S_21'],
  fix: 'Set metadata.namespace (or helm_release namespace) to the component\'s namespace.',
  check: (ctx) => kubernetesVerdicts(ctx.stack),
};

export const namespaceRules: readonly Rule[] = [defaultNamespace];
