/**
 * StorageClasses and PersistentVolumeClaims, and which provisioner parameters mean "SSD" per cloud:
 * AWS EBS gp2/gp3/io1/io2 (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html),
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

interface SsdRule {
  readonly param: string;
  readonly values: readonly string[];
  /** What an unset parameter means for this provisioner; undefined = unset is not SSD (or not known to be). */
  readonly defaultValue?: string;
}

const ebs: SsdRule = { param: 'type', values: ['gp3', 'gp2', 'io1', 'io2'], defaultValue: 'gp3' };

/**
 * SSD-backed settings per CSI provisioner. Block disks (EBS, PD, Azure Disk) for single-node volumes; shared file
 * systems for a store every replica mounts at once: FSx for Lustre (storageType, default SSD; HDD exists only for
 * PERSISTENT_1, https://github.com/kubernetes-sigs/aws-fsx-csi-driver), Filestore (tier; the default "standard"
 * is BASIC_HDD, https://cloud.google.com/filestore/docs/service-tiers), Azure Files premium (SSD).
 */
const ssdByProvisioner: Readonly<Record<string, SsdRule>> = {
  'ebs.csi.aws.com': ebs,
  'kubernetes.io/aws-ebs': { ...ebs, defaultValue: 'gp2' },
  'pd.csi.storage.gke.io': { param: 'type', values: ['pd-ssd', 'pd-balanced', 'pd-extreme', 'hyperdisk-balanced', 'hyperdisk-extreme', 'hyperdisk-throughput', 'hyperdisk-ml'] },
  'kubernetes.io/gce-pd': { param: 'type', values: ['pd-ssd', 'pd-balanced'] },
  'disk.csi.azure.com': { param: 'skuName', values: ['Premium_LRS', 'Premium_ZRS', 'PremiumV2_LRS', 'UltraSSD_LRS'] },
  'fsx.csi.aws.com': { param: 'storageType', values: ['SSD'], defaultValue: 'SSD' },
  'filestore.csi.storage.gke.io': { param: 'tier', values: ['premium', 'enterprise', 'zonal', 'regional', 'BASIC_SSD', 'HIGH_SCALE_SSD', 'ZONAL', 'REGIONAL', 'ENTERPRISE'] },
  'file.csi.azure.com': { param: 'skuName', values: ['Premium_LRS', 'Premium_ZRS'] },
};

/** Whether a StorageClass provisions SSD-backed volumes, and why. */
export function ssdVerdict(sc: StorageClass): { ok: boolean; message: string } {
  const rule = ssdByProvisioner[sc.provisioner];
  if (!rule) return { ok: false, message: `provisioner "${sc.provisioner}" is not a known SSD provisioner` };
  const set = sc.parameters[rule.param] ?? sc.parameters[rule.param.toLowerCase()];
  const value = set ?? rule.defaultValue;
  const ok = value !== undefined && rule.values.includes(value);
  const shown = set === undefined ? `${value ?? 'unset'} (default)` : value;
  return { ok, message: ok ? `${sc.provisioner} ${rule.param}=${shown} (SSD)` : `${sc.provisioner} ${rule.param}=${shown} is not an SSD type (${rule.values.join(', ')})` };
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
