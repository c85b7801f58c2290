/**
 * StorageClasses and PersistentVolumeClaims, and which provisioner parameters mean "SSD" per cloud:
 * AWS EBS gp3/io1/io2 (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html),
 * GKE pd-ssd / pd-balanced / hyperdisk-* (https://cloud.google.com/compute/docs/disks),
 * Azure Premium / PremiumV2 / UltraSSD managed disks (https://learn.microsoft.com/azure/virtual-machines/disks-types).
 */
import type { StackDoc } from '../engine/model.js';
import { block, bool, str, stringMap, strings } from '../engine/values.js';
import { metaOf, ofTypes, resolveName, typedKinds } from './objects.js';

export interface StorageClass {
  readonly address: string;
  readonly name: string;
  readonly provisioner: string;
  readonly parameters: Record<string, string>;
  readonly allowExpansion?: boolean;
  readonly bindingMode?: string;
}

export function storageClasses(stack: StackDoc): StorageClass[] {
  return ofTypes(stack, typedKinds('storage_class')).map((r) => {
    const a = r.attributes;
    const allowExpansion = bool(a, 'allow_volume_expansion');
    const bindingMode = str(a, 'volume_binding_mode');
    return {
      address: r.address,
      name: metaOf(stack, r).name,
      provisioner: str(a, 'storage_provisioner') ?? '',
      parameters: stringMap(a, 'parameters'),
      ...(allowExpansion !== undefined ? { allowExpansion } : {}),
      ...(bindingMode ? { bindingMode } : {}),
    };
  });
}

const ssdByProvisioner: Readonly<Record<string, { readonly param: string; readonly values: readonly string[] }>> = {
  'ebs.csi.aws.com': { param: 'type', values: ['gp3', 'gp2', 'io1', 'io2'] },
  'kubernetes.io/aws-ebs': { param: 'type', values: ['gp3', 'gp2', 'io1', 'io2'] },
  'pd.csi.storage.gke.io': { param: 'type', values: ['pd-ssd', 'pd-balanced', 'pd-extreme', 'hyperdisk-balanced', 'hyperdisk-extreme', 'hyperdisk-throughput', 'hyperdisk-ml'] },
  'kubernetes.io/gce-pd': { param: 'type', values: ['pd-ssd', 'pd-balanced'] },
  'disk.csi.azure.com': { param: 'skuName', values: ['Premium_LRS', 'Premium_ZRS', 'PremiumV2_LRS', 'UltraSSD_LRS'] },
};

/** Whether a StorageClass provisions SSD-backed volumes; undefined reason when it does. */
export function ssdVerdict(sc: StorageClass): { ok: boolean; message: string } {
  const rule = ssdByProvisioner[sc.provisioner];
  if (!rule) return { ok: false, message: `provisioner "${sc.provisioner}" is not a known SSD provisioner` };
  const value = sc.parameters[rule.param] ?? sc.parameters[rule.param.toLowerCase()];
  const ok = value !== undefined && rule.values.includes(value);
  return { ok, message: ok ? `${sc.provisioner} ${rule.param}=${value} (SSD)` : `${sc.provisioner} ${rule.param}=${value ?? 'unset'} is not an SSD type (${rule.values.join(', ')})` };
}

export interface Claim {
  readonly address: string;
  readonly name: string;
  readonly namespace: string;
  readonly storageClassName?: string;
  readonly request?: string;
  readonly accessModes: readonly string[];
}

export function claims(stack: StackDoc): Claim[] {
  return ofTypes(stack, typedKinds('persistent_volume_claim')).map((r) => {
    const meta = metaOf(stack, r);
    const spec = block(r.attributes, 'spec');
    const storageClassName = resolveName(stack, str(spec, 'storage_class_name'));
    const request = stringMap(block(spec, 'resources'), 'requests')['storage'];
    return {
      address: r.address,
      name: meta.name,
      namespace: meta.namespace,
      ...(storageClassName ? { storageClassName } : {}),
      ...(request ? { request } : {}),
      accessModes: strings(spec, 'access_modes'),
    };
  });
}
