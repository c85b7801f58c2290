/**
 * SSD storage: the storage classes (platform stack) and the model store volume (inference stack), ≥ 1 TiB by
 * default, mounted read-only by the service. Filling it (copying a released model version in) is a release step
 * outside these stacks: a writer mounts the same claim read-write.
 */
import { PersistentVolumeClaimV1 } from '@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1/index.js';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1/index.js';
import { Construct } from 'constructs';
import type { Cloud } from '../../../policies/catalog/gpus.js';
import { quantityBytes, tebibyte } from '../../lib/quantity.js';
import { blockSsdClass, modelStoreClass, modelStoreClassName, type FileSystemNetwork } from './classes.js';

export { blockSsdClassName, modelStoreClassName } from './classes.js';

export interface StorageClassesProps {
  /** Picks the CSI provisioners and their SSD parameters. */
  readonly cloud: Cloud;
  /** AWS only: network of the FSx file system. */
  readonly modelStoreNetwork?: FileSystemNetwork;
}

export class StorageClasses extends Construct {
  /** The class resources, for `dependsOn` of releases whose volumes use them. */
  readonly classes: StorageClassV1[];

  constructor(scope: Construct, id: string, props: StorageClassesProps) {
    super(scope, id);
    this.classes = [blockSsdClass(props.cloud), modelStoreClass(props.cloud, props.modelStoreNetwork)].map(
      (spec) =>
      new StorageClassV1(this, spec.name, {
        metadata: { name: spec.name, labels: { 'blueprint.dev/media': 'ssd' } },
        storageProvisioner: spec.provisioner,
        parameters: { ...spec.parameters },
        reclaimPolicy: spec.reclaimPolicy,
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      }),
    );
  }
}

export interface ModelStoreProps {
  /** Namespace of the service that mounts it. */
  readonly namespace: string;
  /** Size; at least 1Ti (policy), default 1Ti. */
  readonly size?: string;
}

export const modelStoreDefaults = { claimName: 'model-store', size: '1Ti' } as const;

export class ModelStore extends Construct {
  readonly claimName: string = modelStoreDefaults.claimName;

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    const size = props.size ?? modelStoreDefaults.size;
    if (quantityBytes(size) < tebibyte) throw new Error(`model store size ${size} is below 1Ti`);
    new PersistentVolumeClaimV1(this, 'claim', {
      metadata: { name: this.claimName, namespace: props.namespace, labels: { 'app.kubernetes.io/name': 'model-store' } },
      spec: {
        // Shared file system: the publishing job writes, every service replica mounts read-only.
        accessModes: ['ReadWriteMany'],
        storageClassName: modelStoreClassName,
        resources: { requests: { storage: size } },
      },
      // WaitForFirstConsumer: the claim binds when the first pod is scheduled, not at apply time.
      waitUntilBound: false,
    });
  }
}
