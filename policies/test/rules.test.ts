/**
 * Every rule: the compliant fixture passes it (with at least one verdict, so the rule really ran), and one
 * targeted break makes it — and only it — fail.
 */
import { describe, expect, it } from 'vitest';
import { checkStacks } from '../check.js';
import { allRules } from '../rules/index.js';
import { at, compliantJson, toStacks, type Json } from '../fixtures/stacks.js';

type Fixture = ReturnType<typeof compliantJson>;

const stable = (f: Fixture): Json => at(f.inference, 'resource', 'kubernetes_deployment_v1', 'stable', 'spec', 'template', 'spec');
const container = (f: Fixture): Json => at(stable(f), 'container', 0);
const sc = (f: Fixture): Json => at(container(f), 'security_context');
const manifest = (f: Fixture, stack: 'platform' | 'inference', name: string): Json => at(f[stack], 'resource', 'kubernetes_manifest', name, 'manifest');

/** One break per rule id. */
const breaks: Record<string, (f: Fixture) => void> = {
  'pss.namespace-enforce': (f) => void (at(f.inference, 'resource', 'kubernetes_namespace_v1', 'inference', 'metadata', 'labels')['pod-security.kubernetes.io/enforce'] = 'baseline'),
  'pss.host-namespaces': (f) => void (stable(f)['host_network'] = true),
  'pss.privileged': (f) => void (sc(f)['privileged'] = true),
  'pss.host-ports': (f) => void (at(container(f), 'port', 0)['host_port'] = 8080),
  'pss.volume-types': (f) => void (stable(f)['volume'] as Json[]).push({ name: 'host', host_path: { path: '/var/run' } }),
  'pss.allow-privilege-escalation': (f) => void delete sc(f)['allow_privilege_escalation'],
  'pss.run-as-non-root': (f) => void (at(stable(f), 'security_context')['run_as_non_root'] = false),
  'pss.run-as-user': (f) => void (sc(f)['run_as_user'] = '0'),
  'pss.drop-all-capabilities': (f) => void (sc(f)['capabilities'] = { drop: ['NET_RAW'] }),
  'pss.seccomp': (f) => void (at(stable(f), 'security_context')['seccomp_profile'] = { type: 'Unconfined' }),
  'workload.liveness-probe': (f) => void delete container(f)['liveness_probe'],
  'workload.readiness-probe': (f) => void delete container(f)['readiness_probe'],
  'workload.liveness-restart-bound': (f) => void (at(container(f), 'liveness_probe')['period_seconds'] = 30),
  'workload.cpu-requests': (f) => void delete at(container(f), 'resources', 'requests')['cpu'],
  'workload.cpu-limits': (f) => void delete at(container(f), 'resources', 'limits')['cpu'],
  'workload.memory-requests': (f) => void delete at(container(f), 'resources', 'requests')['memory'],
  'workload.memory-limits': (f) => void delete at(container(f), 'resources', 'limits')['memory'],
  'workload.image-tag': (f) => void (container(f)['image'] = 'ghcr.io/example/inference:latest'),
  'workload.read-only-root-fs': (f) => void (sc(f)['read_only_root_filesystem'] = false),
  'workload.service-account-token': (f) => void delete stable(f)['automount_service_account_token'],
  'namespace.not-default': (f) => void delete at(f.inference, 'resource', 'kubernetes_service_v1', 'stable', 'metadata')['namespace'],
  'network.default-deny': (f) => void (at(f.inference, 'resource', 'kubernetes_network_policy_v1', 'deny', 'spec')['policy_types'] = ['Ingress']),
  'network.policy-selects-pod': (f) => {
    at(f.inference, 'resource', 'kubernetes_network_policy_v1', 'api', 'spec')['pod_selector'] = { match_labels: { 'app.kubernetes.io/name': 'redis' } };
    const deny = at(f.inference, 'resource', 'kubernetes_network_policy_v1', 'deny', 'spec');
    deny['pod_selector'] = { match_labels: { 'app.kubernetes.io/name': 'redis' } };
  },
  'network.service-ports-only': (f) => void (container(f)['port'] as Json[]).push({ name: 'ssh', container_port: 22 }),
  'gpu.nodepool-memory': (f) => void (at(manifest(f, 'platform', 'nodepool'), 'spec', 'template', 'spec', 'requirements', 0)['values'] = ['g5.xlarge']),
  'gpu.computeclass-memory': (f) => void (at(manifest(f, 'platform', 'computeclass'), 'spec', 'priorities', 1, 'gpu')['type'] = 'nvidia-l4'),
  'gpu.cloud-node-pool-memory': (f) => void (at(f.platform, 'resource', 'google_container_node_pool', 'h100', 'node_config', 'guest_accelerator', 0)['type'] = 'nvidia-tesla-t4'),
  'gpu.workload-selector': (f) => void (at(stable(f), 'node_selector')['node.kubernetes.io/instance-type'] = 'g6.xlarge'),
  'gpu.workload-placement': (f) => void delete stable(f)['node_selector'],
  'gpu.request-fits-node': (f) => void (at(container(f), 'resources', 'limits')['nvidia.com/gpu'] = '16'),
  'storage.model-store-ssd': (f) => void (at(f.platform, 'resource', 'kubernetes_storage_class_v1', 'ssd', 'parameters')['type'] = 'st1'),
  'storage.model-store-size': (f) => void (at(f.inference, 'resource', 'kubernetes_persistent_volume_claim_v1', 'models', 'spec', 'resources', 'requests')['storage'] = '500Gi'),
  'storage.model-store-read-only': (f) => {
    at(container(f), 'volume_mount', 0)['read_only'] = false;
    at(stable(f), 'volume', 0, 'persistent_volume_claim')['read_only'] = false;
  },
  'storage.class-binding': (f) => void (at(f.platform, 'resource', 'kubernetes_storage_class_v1', 'ssd')['volume_binding_mode'] = 'Immediate'),
  'rollout.canary-first-step': (f) => {
    const refs = at(manifest(f, 'inference', 'route'), 'spec', 'rules', 1, 'backendRefs') as unknown as Json[];
    refs.forEach((r) => (r['weight'] = 50));
  },
  'rollout.hpa-min-replicas': (f) => void (at(f.inference, 'resource', 'kubernetes_horizontal_pod_autoscaler_v2', 'stable', 'spec')['min_replicas'] = 1),
  'rollout.pod-disruption-budget': (f) => void delete at(f.inference, 'resource')['kubernetes_pod_disruption_budget_v1'],
  'gateway.listener-tls': (f) => void delete at(manifest(f, 'inference', 'gateway'), 'spec', 'listeners', 0, 'tls')['certificateRefs'],
  'supply.image-digest': (f) => void (container(f)['image'] = 'ghcr.io/example/inference:1.4.2'),
  'supply.helm-chart-version': (f) => void (at(f.platform, 'resource', 'helm_release', 'gpu_operator')['version'] = '^25.0.0'),
  'supply.helm-repository': (f) => void (at(f.platform, 'resource', 'helm_release', 'gpu_operator')['repository'] = 'http://helm.example.com/charts'),
  'supply.provider-versions': (f) => void (at(f.platform, 'terraform', 'required_providers', 'helm')['version'] = '>= 3.0'),
  'supply.terraform-version': (f) => void delete at(f.inference, 'terraform')['required_version'],
  'secrets.provider-credentials': (f) => void (at(f.platform, 'provider', 'helm', 0, 'kubernetes')['token'] = 'eyJhbGciOiJSUzI1NiJ9.literal'),
  'secrets.no-literal-secret-data': (f) => void (at(f.inference, 'resource', 'kubernetes_secret_v1', 'env', 'data_wo')['cache-encryption-key'] = 'hunter2hunter2'),
  'secrets.write-only-data': (f) => {
    const secret = at(f.inference, 'resource', 'kubernetes_secret_v1', 'env');
    secret['data'] = secret['data_wo'];
    delete secret['data_wo'];
  },
  'secrets.env-literal': (f) => void (container(f)['env'] as Json[]).push({ name: 'REDIS_PASSWORD', value: 'hunter2' }),
  'state.remote-backend': (f) => void delete at(f.inference, 'terraform')['backend'],
};

/**
 * Breaks that cannot avoid a second rule: a `latest` tag is also not a digest, and a pod no policy selects means
 * the namespace has no default-deny either (a default-deny selects every pod).
 */
const alsoFails: Record<string, readonly string[]> = {
  'workload.image-tag': ['supply.image-digest'],
  'network.policy-selects-pod': ['network.default-deny'],
};

function failedRules(f: Fixture, env = 'staging'): string[] {
  return [...new Set(checkStacks(toStacks(f, env)).results.filter((r) => r.outcome === 'fail').map((r) => r.rule))].sort();
}

describe('rule fixtures', () => {
  it('the compliant fixture passes every rule, and every rule has a verdict on it', () => {
    const report = checkStacks(toStacks(compliantJson()));
    expect(report.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    const judged = new Set(report.results.map((r) => r.rule));
    expect(allRules.map((r) => r.id).filter((id) => !judged.has(id))).toEqual([]);
  });

  it('every registered rule has a failing fixture below', () => {
    expect(allRules.map((r) => r.id).filter((id) => !(id in breaks))).toEqual([]);
  });

  for (const rule of allRules) {
    it(`${rule.id}: the targeted break fails this rule (and nothing unrelated)`, () => {
      const f = compliantJson();
      const brk = breaks[rule.id];
      if (!brk) throw new Error(`no failing fixture for ${rule.id}`);
      brk(f);
      expect(failedRules(f)).toEqual([rule.id, ...(alsoFails[rule.id] ?? [])].sort());
    });
  }
});

describe('rule semantics beyond the single break', () => {
  it('dev stacks need neither HPA, PDB nor a remote backend', () => {
    const f = compliantJson();
    delete at(f.inference, 'resource')['kubernetes_pod_disruption_budget_v1'];
    delete at(f.inference, 'resource')['kubernetes_horizontal_pod_autoscaler_v2'];
    delete at(f.inference, 'terraform')['backend'];
    expect(failedRules(f, 'dev')).toEqual([]);
    expect(failedRules(f, 'prod')).toEqual(['rollout.hpa-min-replicas', 'rollout.pod-disruption-budget', 'state.remote-backend']);
  });

  it('an HTTP listener that serves a route (not only an https redirect) fails TLS', () => {
    const f = compliantJson();
    at(manifest(f, 'inference', 'route'), 'spec', 'parentRefs', 0)['sectionName'] = 'http';
    const report = checkStacks(toStacks(f));
    const tls = report.results.filter((r) => r.rule === 'gateway.listener-tls' && r.outcome === 'fail');
    expect(tls.map((r) => r.message)).toEqual(['HTTP listener without TLS serving https-redirect, inference']);
  });

  it('a header-pinned canary-only rule is gate traffic, but an unpinned canary-only rule is 100 %', () => {
    const f = compliantJson();
    delete at(manifest(f, 'inference', 'route'), 'spec', 'rules', 0)['matches'];
    const fails = checkStacks(toStacks(f)).results.filter((r) => r.outcome === 'fail');
    expect(fails.map((r) => [r.rule, r.message])).toEqual([['rollout.canary-first-step', 'canary gets 100 % of traffic (first step 20 %)']]);
  });

  it('a Karpenter pool restricted only by GPU name "a100" fails: a100 also comes with 40 GB', () => {
    const f = compliantJson();
    at(manifest(f, 'platform', 'nodepool'), 'spec', 'template', 'spec', 'requirements', 0)['key'] = 'karpenter.k8s.aws/instance-gpu-name';
    at(manifest(f, 'platform', 'nodepool'), 'spec', 'template', 'spec', 'requirements', 0)['values'] = ['a100'];
    const fail = checkStacks(toStacks(f)).results.find((r) => r.outcome === 'fail');
    expect(fail?.rule).toBe('gpu.nodepool-memory');
    expect(fail?.message).toContain('gpu a100 (40 GiB)');
  });

  it('a GPU NodePool without any instance restriction fails, an unknown instance type fails', () => {
    const f = compliantJson();
    at(manifest(f, 'platform', 'nodepool'), 'spec', 'template', 'spec')['requirements'] = [];
    expect(failedRules(f)).toEqual(['gpu.nodepool-memory']);
    const g = compliantJson();
    at(manifest(g, 'platform', 'nodepool'), 'spec', 'template', 'spec', 'requirements', 0)['values'] = ['p9.mega'];
    const msg = checkStacks(toStacks(g)).results.find((r) => r.outcome === 'fail')?.message;
    expect(msg).toContain('p9.mega (not in catalog)');
  });

  it('GPU placement by pool label: fine on an 80 GB pool, a violation when that pool offers 24 GB GPUs', () => {
    const f = compliantJson();
    stable(f)['node_selector'] = { 'karpenter.sh/nodepool': 'gpu-h100' };
    const ok = checkStacks(toStacks(f)).results.find((r) => r.rule === 'gpu.workload-placement' && r.resource.endsWith('.stable'));
    expect([ok?.outcome, ok?.message]).toEqual(['pass', 'runs on NodePool gpu-h100']);
    at(manifest(f, 'platform', 'nodepool'), 'spec', 'template', 'spec', 'requirements', 0)['values'] = ['g5.xlarge'];
    const bad = checkStacks(toStacks(f)).results.find((r) => r.rule === 'gpu.workload-placement' && r.resource.endsWith('.stable'));
    expect([bad?.outcome, bad?.message]).toEqual(['fail', 'node_selector karpenter.sh/nodepool=gpu-h100 also matches gpu-h100, which fail the GPU memory rule']);
    stable(f)['node_selector'] = { 'karpenter.sh/nodepool': 'nope' };
    const none = checkStacks(toStacks(f)).results.find((r) => r.rule === 'gpu.workload-placement' && r.resource.endsWith('.stable'));
    expect(none?.message).toBe('node_selector karpenter.sh/nodepool=nope matches no GPU pool declared in this environment');
  });

  it('autoscaling through a KEDA ScaledObject counts, with KEDA\'s own minReplicaCount', () => {
    const f = compliantJson();
    delete at(f.inference, 'resource')['kubernetes_horizontal_pod_autoscaler_v2'];
    const keda = (min: number) => ({ manifest: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'inference', namespace: 'inference' }, spec: { scaleTargetRef: { name: 'inference-stable' }, minReplicaCount: min, maxReplicaCount: 8 } } });
    at(f.inference, 'resource', 'kubernetes_manifest')['keda'] = keda(2);
    expect(failedRules(f)).toEqual([]);
    at(f.inference, 'resource', 'kubernetes_manifest')['keda'] = keda(0);
    const fail = checkStacks(toStacks(f)).results.find((r) => r.outcome === 'fail');
    expect([fail?.rule, fail?.message]).toEqual(['rollout.hpa-min-replicas', 'autoscaler min replicas 0']);
  });

  it('NetworkPolicies declared as kubernetes_manifest count like typed ones', () => {
    const f = compliantJson();
    const deny = at(f.inference, 'resource', 'kubernetes_network_policy_v1', 'deny');
    delete at(f.inference, 'resource', 'kubernetes_network_policy_v1')['deny'];
    at(f.inference, 'resource', 'kubernetes_manifest')['deny'] = { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: deny['metadata'], spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } } };
    expect(failedRules(f)).toEqual([]);
  });

  it('allows the ports the service declares: GRPC_PORT only with GRPC_ENABLED, from env or an env_from ConfigMap', () => {
    const grpcPort = (f: Fixture) => void (container(f)['port'] as Json[]).push({ name: 'grpc', container_port: 8081 });
    const off = compliantJson();
    grpcPort(off);
    expect(checkStacks(toStacks(off)).results.filter((r) => r.outcome === 'fail').map((r) => [r.rule, r.message])).toEqual([
      ['network.service-ports-only', 'container ports 8081 are not 8080/9000'],
    ]);
    const env = compliantJson();
    grpcPort(env);
    (container(env)['env'] as Json[]).push({ name: 'GRPC_ENABLED', value: 'true' });
    expect(failedRules(env)).toEqual([]);
    const configMap = compliantJson();
    grpcPort(configMap);
    container(configMap)['env_from'] = [{ config_map_ref: { name: 'inference-config' } }];
    at(configMap.inference, 'resource')['kubernetes_config_map_v1'] = {
      config: { metadata: { name: 'inference-config', namespace: '${kubernetes_namespace_v1.inference.metadata[0].name}' }, data: { GRPC_ENABLED: 'true', GRPC_PORT: '8081' } },
    };
    expect(failedRules(configMap)).toEqual([]);
  });

  it('follows a moved PORT and refuses a port setting it cannot read', () => {
    const moved = compliantJson();
    (container(moved)['env'] as Json[]).push({ name: 'PORT', value: '9090' });
    expect(checkStacks(toStacks(moved)).results.filter((r) => r.outcome === 'fail' && r.detail === 'container ports').map((r) => r.message)).toEqual(['container ports 8080 are not 9090/9000']);
    const unknown = compliantJson();
    (container(unknown)['env'] as Json[]).push({ name: 'METRICS_PORT', value: '${var.metrics_port}' });
    const fail = checkStacks(toStacks(unknown)).results.find((r) => r.outcome === 'fail');
    expect([fail?.rule, fail?.message]).toEqual(['network.service-ports-only', 'METRICS_PORT is not a literal setting, so the declared ports are unknown']);
  });

  it('a NetworkPolicy ingress rule without ports opens every port', () => {
    const f = compliantJson();
    delete at(f.inference, 'resource', 'kubernetes_network_policy_v1', 'api', 'spec', 'ingress', 0)['ports'];
    const fail = checkStacks(toStacks(f)).results.find((r) => r.outcome === 'fail');
    expect([fail?.rule, fail?.message]).toEqual(['network.service-ports-only', 'an ingress rule without ports (allows every port)']);
  });

  it('liveness math uses Kubernetes defaults for unset fields (10 s × 3 + 1 s) and adds the grace period', () => {
    const f = compliantJson();
    at(container(f), 'liveness_probe')['period_seconds'] = 12; // 12 × 3 + 2 = 38, + 25 s grace = 63 > 60
    const fail = checkStacks(toStacks(f)).results.find((r) => r.outcome === 'fail');
    expect(fail?.message).toBe('hang detected after ≤ 38 s, restarted after ≤ 63 s with the 25 s grace period (bound 60 s)');
    const g = compliantJson();
    at(container(g), 'liveness_probe')['period_seconds'] = undefined;
    delete at(container(g), 'liveness_probe')['timeout_seconds'];
    const ok = checkStacks(toStacks(g)).results.find((r) => r.rule === 'workload.liveness-restart-bound');
    expect(ok?.message).toBe('hang detected after ≤ 31 s, restarted after ≤ 56 s with the 25 s grace period (bound 60 s)');
  });

  it('a hung process waits out the pod grace period (Kubernetes default 30 s when unset)', () => {
    const f = compliantJson();
    delete stable(f)['termination_grace_period_seconds'];
    const fail = checkStacks(toStacks(f)).results.find((r) => r.outcome === 'fail');
    expect([fail?.rule, fail?.message]).toEqual(['workload.liveness-restart-bound', 'hang detected after ≤ 32 s, restarted after ≤ 62 s with the 30 s grace period (bound 60 s)']);
  });
});
