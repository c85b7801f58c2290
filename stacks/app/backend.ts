/**
 * Terraform state per stack, from the environment data: S3 (with S3-native locking, Terraform ≥ 1.10) or GCS for
 * shared environments, a local file for dev. Each stack gets its own state key.
 */
import { GcsBackend, LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { BackendConfig } from '../environments/schema/types.js';

export function configureBackend(stack: TerraformStack, backend: BackendConfig, stackName: string): void {
  switch (backend.type) {
    case 'local':
      // Relative to the stack's working directory (cdktf.out/stacks/<stack>): keeps state out of cdktf.out,
      // which synth rewrites, and keeps the synthesized JSON free of machine-specific absolute paths.
      new LocalBackend(stack, { path: `../../../.tfstate/${stackName}.tfstate` });
      return;
    case 's3':
      new S3Backend(stack, { bucket: backend.bucket, key: `${backend.keyPrefix}/${stackName}.tfstate`, region: backend.region, encrypt: true });
      stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    case 'gcs':
      new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix}/${stackName}` });
      return;
  }
}
