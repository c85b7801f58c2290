/**
 * Workload essentials from checkov and kube-linter: probes, requests and limits, image tags, read-only root
 * file system, service-account tokens. Plus the seed's liveness math: a hung container restarts within
 * `slo.restartWithinSeconds`.
 *
 * checkov ids: the Kubernetes-manifest checks are CKV_K8S_12 "Memory requests" and CKV_K8S_13 "Memory limits"
 * (checkov/kubernetes/checks/resource/k8s/MemoryRequests.py, MemoryLimits.py); checkov's *Terraform* checks use
 * the same two ids the other way round (checkov/terraform/checks/resource/kubernetes/MemoryRequests.py has
 * CKV_K8S_13, MemoryLimits.py has CKV_K8S_12). We cite the manifest ids and name the Terraform ones. Likewise the
 * service-account token check is CKV_K8S_38 for manifests but CKV_K8S_50 in checkov's Terraform checks.
 */
import { slo } from '../slo.js';
import { block, bool, num, str, stringMap } from '../engine/values.js';
import type { Rule } from '../engine/rule.js';
import { containerSecurity, eachContainer, eachWorkload } from '../kubernetes/containers.js';
import { checkov, checkovTf, kubeLinter, repo, seed } from './sources.js';

/**
 * Jobs run to completion and are not behind a Service: probes mean nothing there (checkov's CKV_K8S_8/9 skip
 * Job and CronJob too, checkov/kubernetes/checks/resource/k8s/LivenessProbe.py).
 */
const runsToCompletion = (kind: string): boolean => kind === 'job' || kind === 'cron_job';

/** CKV_K8S_8 / CKV_K8S_9: one shape for both probes; Jobs are skipped and operator-managed pods may omit them. */
function probeRule(probe: 'liveness' | 'readiness', ref: string, title: string, file: string, rationale: string, fix: string): Rule {
  const attribute = `${probe}_probe`;
  return {
    id: `workload.${probe}-probe`,
    rationale,
    sources: [checkov(ref, title), checkovTf(ref, file), kubeLinter(`no-${probe}-probe`)],
    refs: [ref, `kube-linter:no-${probe}-probe`],
    fix,
    check: (ctx) =>
      eachContainer(ctx, (c, w) => {
        if (runsToCompletion(w.kind)) return undefined;
        const has = block(c.body, attribute) !== undefined;
        if (w.partial && !has) return undefined; // the operator defines the probe
        return { ok: has, message: has ? `${probe} probe set` : `no ${probe} probe` };
      }, { includeInit: false }),
  };
}

const liveness = probeRule(
  'liveness',
  'CKV_K8S_8',
  'Liveness Probe Should be Configured',
  'LivenessProbe.py',
  'Without a liveness probe a hung process keeps its pod and keeps receiving traffic until a human notices.',
  'Add liveness_probe (http_get on /v2/health/live for the inference service).',
);

const readiness = probeRule(
  'readiness',
  'CKV_K8S_9',
  'Readiness Probe Should be Configured',
  'ReadinessProbe.py',
  'Without a readiness probe a pod receives traffic before its model is loaded.',
  'Add readiness_probe (http_get on /v2/health/ready for the inference service).',
);

function resourceRule(id: string, kind: 'requests' | 'limits', resource: 'cpu' | 'memory', ref: string, tfRef: string, tfFile: string, why: string): Rule {
  return {
    id,
    rationale: why,
    sources: [checkov(ref, `${resource === 'cpu' ? 'CPU' : 'Memory'} ${kind} should be set`), checkovTf(tfRef, tfFile), kubeLinter(`unset-${resource}-requirements`)],
    refs: [ref, `kube-linter:unset-${resource}-requirements`],
    fix: `Set resources.${kind}.${resource} on the container.`,
    check: (ctx) =>
      eachContainer(ctx, (c, w) => {
        const value = stringMap(block(c.body, 'resources'), kind)[resource];
        if (w.partial && !value) return undefined; // the operator's default applies
        return { ok: value !== undefined && value !== '', message: value ? `${kind}.${resource} = ${value}` : `no ${kind}.${resource}` };
      }),
  };
}

const cpuRequests = resourceRule('workload.cpu-requests', 'requests', 'cpu', 'CKV_K8S_10', 'CKV_K8S_10', 'CPURequests.py', 'The scheduler places pods by their requests; without them a node is overcommitted and latency suffers.');
const cpuLimits = resourceRule('workload.cpu-limits', 'limits', 'cpu', 'CKV_K8S_11', 'CKV_K8S_11', 'CPULimits.py', 'A container without a CPU limit can starve its neighbours, including the batcher of another replica.');
// Terraform ids are swapped for memory (see the file header): requests = CKV_K8S_13, limits = CKV_K8S_12 in Terraform.
const memoryRequests = resourceRule('workload.memory-requests', 'requests', 'memory', 'CKV_K8S_12', 'CKV_K8S_13', 'MemoryRequests.py', 'Memory requests let the scheduler keep model weights and batches from overcommitting a node.');
const memoryLimits = resourceRule('workload.memory-limits', 'limits', 'memory', 'CKV_K8S_13', 'CKV_K8S_12', 'MemoryLimits.py', 'A memory limit turns a leak into a restart of one container instead of node-wide OOM kills.');

/** Splits `registry:5000/repo/name:tag@sha256:…` into its tag and digest. */
export function imageParts(image: string): { tag?: string; digest?: string } {
  const [ref, digest] = image.split('@', 2);
  const lastSlash = (ref ?? '').lastIndexOf('/');
  const nameAndTag = (ref ?? '').slice(lastSlash + 1);
  const colon = nameAndTag.indexOf(':');
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

const imageTag: Rule = {
  id: 'workload.image-tag',
  rationale: 'An image without a tag or with `latest` changes under a running deployment; a rollback cannot restore it.',
  sources: [checkov('CKV_K8S_14', 'Image Tag should be fixed - not latest or blank'), checkovTf('CKV_K8S_14', 'ImageTagFixed.py'), kubeLinter('latest-tag')],
  refs: ['CKV_K8S_14', 'kube-linter:latest-tag'],
  fix: 'Reference the image with a fixed version tag and its digest (name:1.2.3@sha256:…).',
  check: (ctx) =>
    eachContainer(ctx, (c, w) => {
      const image = str(c.body, 'image') ?? '';
      if (w.partial && !image) return undefined; // the operator picks the image from the resource's version
      const { tag, digest } = imageParts(image);
      const ok = image !== '' && (digest !== undefined || (tag !== undefined && tag !== 'latest'));
      return { ok, message: ok ? `image ${image}` : `image "${image}" has ${tag === 'latest' ? 'the latest tag' : 'no tag or digest'}` };
    }),
};

const readOnlyRoot: Rule = {
  id: 'workload.read-only-root-fs',
  rationale: 'A read-only root file system stops an intruder from dropping tools into the container; writable paths are explicit emptyDirs.',
  sources: [checkov('CKV_K8S_22', 'Use read-only filesystem for containers where possible'), checkovTf('CKV_K8S_22', 'ReadonlyRootFilesystem.py'), kubeLinter('no-read-only-root-fs')],
  refs: ['CKV_K8S_22', 'kube-linter:no-read-only-root-fs'],
  fix: 'Set security_context.read_only_root_filesystem = true and mount an empty_dir where the process writes (e.g. /tmp).',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const v = bool(containerSecurity(c), 'read_only_root_filesystem');
      return { ok: v === true, message: v === true ? 'read-only root file system' : 'root file system is writable' };
    }),
};

const serviceAccountToken: Rule = {
  id: 'workload.service-account-token',
  rationale: 'The service never calls the Kubernetes API; a mounted token is only useful to an attacker.',
  sources: [checkov('CKV_K8S_38', 'Ensure that Service Account Tokens are only mounted where necessary'), checkovTf('CKV_K8S_50', 'AutomountServiceAccountToken.py')],
  refs: ['CKV_K8S_38'],
  fix: 'Set automount_service_account_token = false in the pod spec.',
  check: (ctx) =>
    eachWorkload(ctx, (w) => {
      const v = bool(w.podSpec, 'automount_service_account_token');
      return { ok: v === false, message: v === false ? 'token not mounted' : `automount_service_account_token is ${v === undefined ? 'unset (defaults to true)' : 'true'}` };
    }),
};

/** Kubernetes probe defaults (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/). */
const probeDefaults = { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1 } as const;

/** Kubernetes' default pod terminationGracePeriodSeconds. */
export const defaultTerminationGraceSeconds = 30;

/**
 * Worst case from the moment a started container hangs to the kubelet deciding to restart it: the hang begins
 * just after a successful probe, then `failureThreshold` probes, `periodSeconds` apart, each time out.
 * initialDelaySeconds only delays the first probe after start and a startup probe guards start-up, so neither
 * counts.
 */
export function livenessRestartSeconds(probe: unknown): number {
  const period = num(probe, 'period_seconds') ?? probeDefaults.periodSeconds;
  const failures = num(probe, 'failure_threshold') ?? probeDefaults.failureThreshold;
  const timeout = num(probe, 'timeout_seconds') ?? probeDefaults.timeoutSeconds;
  return period * failures + timeout;
}

const livenessBound: Rule = {
  id: 'workload.liveness-restart-bound',
  rationale: `A hung container must be restarted within slo.restartWithinSeconds (${slo.restartWithinSeconds} s): liveness detection (period × failures + timeout) plus the grace period a hung process waits out before SIGKILL.`,
  sources: [seed('restart a hung container within the SLO bound', repo.slo), { title: 'Kubernetes: liveness probe restarts honour terminationGracePeriodSeconds', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#probe-level-terminationgraceperiodseconds' }],
  refs: [],
  fix: `Make period_seconds × failure_threshold + timeout_seconds + termination_grace_period_seconds ≤ ${slo.restartWithinSeconds} (faster probes or a shorter drain).`,
  check: (ctx) =>
    eachContainer(ctx, (c, w) => {
      const probe = block(c.body, 'liveness_probe');
      if (!probe) return undefined;
      const detect = livenessRestartSeconds(probe);
      // A hung event loop never handles SIGTERM, so the kill waits the whole grace period (the provider has no
      // probe-level terminationGracePeriodSeconds to shorten it).
      const grace = num(w.podSpec, 'termination_grace_period_seconds') ?? defaultTerminationGraceSeconds;
      const seconds = detect + grace;
      const ok = seconds <= slo.restartWithinSeconds;
      return { ok, message: `hang detected after ≤ ${detect} s, restarted after ≤ ${seconds} s with the ${grace} s grace period (bound ${slo.restartWithinSeconds} s)` };
    }, { includeInit: false }),
};

export const workloadRules: readonly Rule[] = [liveness, readiness, livenessBound, cpuRequests, cpuLimits, memoryRequests, memoryLimits, imageTag, readOnlyRoot, serviceAccountToken];
