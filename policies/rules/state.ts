/**
 * Terraform state outside dev lives in a remote, locked backend (S3 or GCS per environment); a local state file
 * on a laptop is how two people apply conflicting plans.
 */
import type { Rule } from '../engine/rule.js';

const remoteBackends = ['s3', 'gcs', 'azurerm', 'remote', 'cloud', 'consul', 'kubernetes', 'http', 'pg', 'oss', 'cos'];

const remoteBackend: Rule = {
  id: 'state.remote-backend',
  rationale: 'Shared environments need shared, locked state; only dev may keep state on the local disk.',
  sources: [{ title: 'Terraform backends', url: 'https://developer.hashicorp.com/terraform/language/backend' }],
  refs: [],
  fix: 'Configure an S3Backend or GcsBackend for the stack (local backend only for *-dev stacks).',
  check: (ctx) => {
    if (ctx.stack.environment === 'dev') return [];
    const backend = ctx.stack.settings.backend ?? 'local (default)';
    const ok = remoteBackends.includes(backend);
    return [{ resource: 'terraform.backend', detail: backend, ok, message: ok ? `backend ${backend}` : `backend ${backend} outside dev` }];
  },
};

export const stateRules: readonly Rule[] = [remoteBackend];
