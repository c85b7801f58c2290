/**
 * The model store: an SSD StorageClass, at least 1 TiB, mounted read-only into the inference service (seed).
 * The claim usually lives in `inference-<env>` and its StorageClass in `platform-<env>`, so lookups span the
 * environment's stacks.
 */
import type { Rule, RuleContext, Verdict } from '../engine/rule.js';
import { block, blocks, bool, str } from '../engine/values.js';
import { parseQuantity, tebibyte } from '../kubernetes/quantity.js';
import { claims, ssdVerdict, storageClasses, type Claim } from '../kubernetes/storage.js';
import { isInferenceWorkload, workloads, type Workload } from '../kubernetes/workloads.js';
import { seed } from './sources.js';

/** Minimum model store size (seed: ≥ 1 TiB). */
export const minModelStoreBytes = tebibyte;

/** Claim names the inference workloads mount. */
function mountedClaims(w: Workload): { claim: string; volume: string; readOnlyVolume: boolean }[] {
  return blocks(w.podSpec, 'volume', 'volumes').flatMap((v) => {
    const pvc = block(v, 'persistent_volume_claim');
    const claim = str(pvc, 'claim_name');
    return claim ? [{ claim, volume: str(v, 'name') ?? '?', readOnlyVolume: bool(pvc, 'read_only') === true }] : [];
  });
}

/** The model store claims of the stack: mounted by the inference service, or named for models. */
export function modelStoreClaims(ctx: RuleContext): Claim[] {
  const inference = workloads(ctx.stack).filter(isInferenceWorkload);
  const mounted = new Set(inference.flatMap((w) => mountedClaims(w).map((m) => `${w.namespace}/${m.claim}`)));
  return claims(ctx.stack).filter((c) => mounted.has(`${c.namespace}/${c.name}`) || /model/i.test(c.name));
}

const modelStoreSsd: Rule = {
  id: 'storage.model-store-ssd',
  rationale: 'Loading multi-GB model weights from spinning disks turns a pod start into minutes; the model store is SSD.',
  sources: [seed('model store on an SSD class', 'docs/architecture.md')],
  refs: [],
  fix: 'Set storage_class_name to a StorageClass with an SSD type (gp3/io2, pd-ssd/hyperdisk, Premium_LRS/PremiumV2_LRS).',
  check: (ctx) => {
    const classes = ctx.environmentStacks.flatMap((s) => storageClasses(s));
    return modelStoreClaims(ctx).map((c): Verdict => {
      const sc = classes.find((s) => s.name === c.storageClassName);
      if (!sc) return { resource: c.address, detail: `claim ${c.name}`, ok: false, message: c.storageClassName ? `StorageClass ${c.storageClassName} is not declared in this environment` : 'no storage_class_name: the cluster default decides the disk type' };
      const r = ssdVerdict(sc);
      return { resource: c.address, detail: `claim ${c.name}`, ok: r.ok, message: `StorageClass ${sc.name}: ${r.message}` };
    });
  },
};

const modelStoreSize: Rule = {
  id: 'storage.model-store-size',
  rationale: 'The model store holds several versions of a large model plus the canary; the seed sizes it at ≥ 1 TiB.',
  sources: [seed('model store ≥ 1 TiB', 'docs/architecture.md')],
  refs: [],
  fix: 'Request at least 1Ti of storage in the model store claim.',
  check: (ctx) =>
    modelStoreClaims(ctx).map((c) => {
      const bytes = c.request ? parseQuantity(c.request) : undefined;
      const ok = bytes !== undefined && bytes >= minModelStoreBytes;
      return { resource: c.address, detail: `claim ${c.name}`, ok, message: `requests ${c.request ?? 'nothing'}${ok ? '' : ' (< 1Ti)'}` };
    }),
};

const modelStoreReadOnly: Rule = {
  id: 'storage.model-store-read-only',
  rationale: 'The service only reads models; a read-only mount means a compromised pod cannot replace the weights others load.',
  sources: [seed('model store mounted read-only into the service', 'docs/architecture.md')],
  refs: [],
  fix: 'Set read_only = true on the volume_mount (or on the persistent_volume_claim volume source).',
  check: (ctx) => {
    const out: Verdict[] = [];
    for (const w of workloads(ctx.stack).filter(isInferenceWorkload)) {
      for (const m of mountedClaims(w)) {
        for (const c of w.containers) {
          for (const vm of blocks(c.body, 'volume_mount', 'volumeMounts').filter((vm) => str(vm, 'name') === m.volume)) {
            const ro = m.readOnlyVolume || bool(vm, 'read_only') === true;
            out.push({ resource: w.resource.address, detail: `container ${c.name} mount ${m.volume}`, ok: ro, message: ro ? `claim ${m.claim} mounted read-only` : `claim ${m.claim} mounted read-write at ${str(vm, 'mount_path') ?? '?'}` });
          }
        }
      }
    }
    return out;
  },
};

const storageClassBehaviour: Rule = {
  id: 'storage.class-binding',
  rationale: 'WaitForFirstConsumer creates the disk in the GPU node\'s zone; allowVolumeExpansion lets the store grow without a migration.',
  sources: [{ title: 'Kubernetes StorageClass volumeBindingMode / allowVolumeExpansion', url: 'https://kubernetes.io/docs/concepts/storage/storage-classes/' }],
  refs: [],
  fix: 'Set volume_binding_mode = "WaitForFirstConsumer" and allow_volume_expansion = true on the StorageClass.',
  check: (ctx) =>
    storageClasses(ctx.stack).map((sc) => {
      const problems = [...(sc.bindingMode === 'WaitForFirstConsumer' ? [] : [`volume_binding_mode ${sc.bindingMode ?? 'Immediate (default)'}`]), ...(sc.allowExpansion === true ? [] : ['volume expansion not allowed'])];
      return { resource: sc.address, detail: `StorageClass ${sc.name}`, ok: problems.length === 0, message: problems.length ? problems.join('; ') : 'WaitForFirstConsumer, expandable' };
    }),
};

export const storageRules: readonly Rule[] = [modelStoreSsd, modelStoreSize, modelStoreReadOnly, storageClassBehaviour];
