/**
 * Custom resources through `kubernetes_manifest`. It needs the CRD at plan time (the provider asks the API server
 * for the schema), which is why every custom resource lives in the `inference-<env>` stack, applied after the
 * `platform-<env>` stack that installs the operators and their CRDs.
 */
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { assertDnsLabel } from './names.js';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
  readonly data?: unknown;
}

export function kubeManifest(scope: Construct, id: string, object: KubeObject, dependsOn?: ITerraformDependable[]): Manifest {
  assertDnsLabel(object.metadata.name, `${object.kind} name`);
  return new Manifest(scope, id, {
    manifest: object as unknown as Record<string, unknown>,
    dependsOn,
  });
}
