/**
 * Pod Security Standards, "restricted" profile, for every pod spec the stacks declare. The namespaces carry the
 * `pod-security.kubernetes.io/enforce: restricted` label too; checking here fails the pull request instead of
 * the admission at deploy time.
 */
import { block, blocks, bool, num, str, strings } from '../engine/values.js';
import type { Rule } from '../engine/rule.js';
import { containerSecurity, eachContainer, eachWorkload, effectiveSecurity } from '../kubernetes/containers.js';
import { metaOf, ofTypes, typedKinds } from '../kubernetes/objects.js';
import { workloads } from '../kubernetes/workloads.js';
import { checkov, checkovTf, kubeLinter, pss } from './sources.js';

const hostNamespaces: Rule = {
  id: 'pss.host-namespaces',
  rationale: 'Sharing the host network, PID or IPC namespace lets a pod see and disturb everything on the node.',
  sources: [pss('Host Namespaces (baseline)'), checkovTf('CKV_K8S_17', 'ShareHostPID.py'), checkovTf('CKV_K8S_18', 'ShareHostIPC.py'), checkovTf('CKV_K8S_19', 'SharedHostNetworkNamespace.py'), kubeLinter('host-network')],
  refs: ['CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19', 'kube-linter:host-network', 'kube-linter:host-pid', 'kube-linter:host-ipc'],
  fix: 'Remove host_network / host_pid / host_ipc from the pod spec (or set them to false).',
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const shared = ['host_network', 'host_pid', 'host_ipc'].filter((k) => bool(w.podSpec, k) === true);
      return { ok: shared.length === 0, message: shared.length ? `pod shares ${shared.join(', ')}` : 'no host namespaces shared' };
    }),
};

const privileged: Rule = {
  id: 'pss.privileged',
  rationale: 'A privileged container has every capability and the host devices; it is root on the node.',
  sources: [pss('Privileged Containers (baseline)'), checkovTf('CKV_K8S_16', 'PrivilegedContainer.py'), kubeLinter('privileged-container')],
  refs: ['CKV_K8S_16', 'kube-linter:privileged-container'],
  fix: 'Set security_context.privileged = false (or drop the field) on the container.',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const on = bool(containerSecurity(c), 'privileged') === true;
      return { ok: !on, message: on ? 'privileged: true' : 'not privileged' };
    }),
};

const hostPorts: Rule = {
  id: 'pss.host-ports',
  rationale: 'A hostPort bypasses Services and NetworkPolicies and pins the pod to nodes where the port is free.',
  sources: [pss('HostPorts (baseline)'), checkovTf('CKV_K8S_26', 'HostPort.py')],
  refs: ['CKV_K8S_26'],
  fix: 'Remove host_port from the container ports; expose the port through a Service.',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const used = blocks(c.body, 'port', 'ports').map((p) => num(p, 'host_port')).filter((p): p is number => p !== undefined && p !== 0);
      return { ok: used.length === 0, message: used.length ? `host ports ${used.join(', ')}` : 'no host ports' };
    }),
};

/** Volume sources the restricted profile allows (PSS "Volume Types"). */
const allowedVolumeSources = ['config_map', 'csi', 'downward_api', 'empty_dir', 'ephemeral', 'persistent_volume_claim', 'projected', 'secret'];

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const volumeTypes: Rule = {
  id: 'pss.volume-types',
  rationale: 'hostPath and other node-level volumes give a pod access to the node file system; restricted allows only a safe list.',
  sources: [pss('Volume Types (restricted)'), kubeLinter('sensitive-host-mounts')],
  refs: ['kube-linter:sensitive-host-mounts'],
  fix: `Use only ${allowedVolumeSources.join(', ')} volumes; mount the model store through a PersistentVolumeClaim.`,
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const bad = blocks(w.podSpec, 'volume', 'volumes').flatMap((v) =>
        Object.keys(v)
          .filter((k) => k !== 'name' && k !== '//')
          .map(snake)
          .filter((k) => !allowedVolumeSources.includes(k))
          .map((k) => `${str(v, 'name') ?? '?'} (${k})`),
      );
      return { ok: bad.length === 0, message: bad.length ? `disallowed volume types: ${bad.join(', ')}` : 'only allowed volume types' };
    }),
};

const privilegeEscalation: Rule = {
  id: 'pss.allow-privilege-escalation',
  rationale: 'Without allowPrivilegeEscalation=false a setuid binary in the image can gain more privileges than its parent.',
  sources: [pss('Privilege Escalation (restricted)'), checkovTf('CKV_K8S_20', 'AllowPrivilegeEscalation.py'), kubeLinter('privilege-escalation-container')],
  refs: ['CKV_K8S_20', 'kube-linter:privilege-escalation-container'],
  fix: 'Set security_context.allow_privilege_escalation = false on every container (restricted requires it explicitly).',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const v = bool(containerSecurity(c), 'allow_privilege_escalation');
      return { ok: v === false, message: v === false ? 'allow_privilege_escalation: false' : `allow_privilege_escalation is ${v === undefined ? 'unset (defaults to true)' : 'true'}` };
    }),
};

const runAsNonRoot: Rule = {
  id: 'pss.run-as-non-root',
  rationale: 'Containers must refuse to start as root, so a mistaken image USER cannot run the service as UID 0.',
  sources: [pss('Running as Non-root (restricted)'), checkov('CKV_K8S_23', 'Minimize the admission of root containers'), kubeLinter('run-as-non-root')],
  refs: ['CKV_K8S_23', 'kube-linter:run-as-non-root'],
  fix: 'Set security_context.run_as_non_root = true on the pod (or on every container).',
  check: (ctx) =>
    eachContainer(ctx, (c, w) => {
      const v = effectiveSecurity(w, c, 'run_as_non_root');
      const ok = v === true || v === 'true';
      return { ok, message: ok ? 'run_as_non_root: true' : `run_as_non_root is ${v === undefined ? 'unset' : String(v)}` };
    }),
};

const runAsUser: Rule = {
  id: 'pss.run-as-user',
  rationale: 'An explicit runAsUser of 0 overrides runAsNonRoot intentions and runs the process as root.',
  sources: [pss('Running as Non-root user (restricted)'), checkov('CKV_K8S_40', 'Containers should run as a high UID')],
  refs: ['CKV_K8S_40'],
  fix: 'Set security_context.run_as_user to a non-zero UID (e.g. 10001) or leave it to the image USER.',
  check: (ctx) =>
    eachContainer(ctx, (c, w) => {
      const raw = effectiveSecurity(w, c, 'run_as_user');
      const uid = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
      return { ok: uid !== 0, message: uid === 0 ? 'run_as_user: 0 (root)' : `run_as_user: ${uid ?? 'image default'}` };
    }),
};

const dropAll: Rule = {
  id: 'pss.drop-all-capabilities',
  rationale: 'Restricted pods drop every Linux capability and may add back only NET_BIND_SERVICE.',
  sources: [pss('Capabilities (restricted)'), checkovTf('CKV_K8S_28', 'DropCapabilities.py'), kubeLinter('drop-net-raw-capability')],
  refs: ['CKV_K8S_28', 'kube-linter:drop-net-raw-capability'],
  fix: 'Set security_context.capabilities.drop = ["ALL"] and add nothing but NET_BIND_SERVICE.',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const caps = block(containerSecurity(c), 'capabilities');
      const drop = strings(caps, 'drop');
      const added = strings(caps, 'add').filter((a) => a !== 'NET_BIND_SERVICE');
      const problems = [...(drop.includes('ALL') ? [] : ['does not drop ALL']), ...(added.length ? [`adds ${added.join(', ')}`] : [])];
      return { ok: problems.length === 0, message: problems.length ? problems.join('; ') : 'drops ALL capabilities' };
    }),
};

const seccomp: Rule = {
  id: 'pss.seccomp',
  rationale: 'The RuntimeDefault seccomp profile blocks the syscalls containers never need; restricted requires it.',
  sources: [pss('Seccomp (restricted)'), checkov('CKV_K8S_31', 'seccomp profile runtime/default')],
  refs: ['CKV_K8S_31'],
  fix: 'Set security_context.seccomp_profile.type = "RuntimeDefault" on the pod.',
  check: (ctx) =>
    eachContainer(ctx, (c, w) => {
      const profile = effectiveSecurity(w, c, 'seccomp_profile');
      const type = str(Array.isArray(profile) ? profile[0] : profile, 'type');
      const ok = type === 'RuntimeDefault' || type === 'Localhost';
      return { ok, message: ok ? `seccomp ${type}` : `seccomp profile is ${type ?? 'unset'}` };
    }),
};

const enforceLabel = 'pod-security.kubernetes.io/enforce';

const namespaceEnforce: Rule = {
  id: 'pss.namespace-enforce',
  rationale: 'The admission controller enforces the restricted profile only where the namespace says so; without the label the cluster default (often privileged) applies.',
  sources: [{ title: 'Pod Security Admission: namespace labels', url: 'https://kubernetes.io/docs/concepts/security/pod-security-admission/' }, pss('restricted profile')],
  refs: [],
  fix: `Label the namespace ${enforceLabel}: restricted (a lower level only for namespaces that run nothing but reviewed charts, with a reason).`,
  check: (ctx) => {
    // Namespaces where the environment's stacks declare pod specs themselves must enforce restricted.
    const ours = new Set(ctx.environmentStacks.flatMap((st) => workloads(st).map((w) => w.namespace)));
    return ofTypes(ctx.stack, typedKinds('namespace')).map((r) => {
      const meta = metaOf(ctx.stack, r);
      const level = meta.labels[enforceLabel];
      const required = ours.has(meta.name);
      const ok = level !== undefined && (!required || level === 'restricted');
      const message = level === undefined ? `no ${enforceLabel} label` : required && !ok ? `enforces ${level}, but the stacks run their own pods here` : `enforces ${level}${required ? '' : ' (chart-managed pods only)'}`;
      return { resource: r.address, detail: `namespace ${meta.name}`, ok, message };
    });
  },
};

export const podSecurityRules: readonly Rule[] = [namespaceEnforce, hostNamespaces, privileged, hostPorts, volumeTypes, privilegeEscalation, runAsNonRoot, runAsUser, dropAll, seccomp];
