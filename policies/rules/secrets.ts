/**
 * Credentials never appear as literals in the configuration, and secret values stay out of Terraform state.
 * Providers authenticate through kubeconfig / context variables; Secrets are filled from variables through the
 * provider's write-only `data_wo` (Terraform ≥ 1.11), so neither the repository nor the state file holds them.
 */
import type { Rule, Verdict } from '../engine/rule.js';
import { block, blocks, isExpression, isObject, str, type JsonObject } from '../engine/values.js';
import { eachContainer } from '../kubernetes/containers.js';
import { ofTypes, typedKinds } from '../kubernetes/objects.js';
import { kubeLinter } from './sources.js';

/** Keys that carry credentials in provider blocks and Secret data. */
const sensitiveKey = /token|password|passwd|secret|private[-_]?key|client[-_]key|access[-_]key|api[-_]?key|credential|\.pem$|encryption[-_]key|hmac/i;

/** Paths of literal (non-expression) values under sensitive keys, searched through nested provider blocks. */
function literalCredentials(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => literalCredentials(v, `${path}[${i}]`));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    if (typeof v === 'string' && sensitiveKey.test(k) && v !== '' && !isExpression(v)) return [here];
    return literalCredentials(v, here);
  });
}

const providerCredentials: Rule = {
  id: 'secrets.provider-credentials',
  rationale: 'A token or key written into a provider block is in the repository and every plan; providers read kubeconfig or variables.',
  sources: [{ title: 'Terraform kubernetes provider: authentication', url: 'https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs#authentication' }],
  refs: [],
  fix: 'Configure the provider with config_path / config_context (or exec) from variables; never a literal token, password or key.',
  check: (ctx) =>
    ctx.stack.providers.map((p): Verdict => {
      const found = literalCredentials(p.attributes, '');
      const name = p.alias ? `${p.name}.${p.alias}` : p.name;
      return { resource: `provider.${name}`, detail: '', ok: found.length === 0, message: found.length ? `literal credentials at ${found.join(', ')}` : 'no literal credentials' };
    }),
};

const secretTypes = typedKinds('secret');

function secretValues(attributes: JsonObject, key: string): [string, unknown][] {
  const raw = attributes[key];
  return isObject(raw) ? Object.entries(raw) : [];
}

const literalSecretData: Rule = {
  id: 'secrets.no-literal-secret-data',
  rationale: 'A password or key typed into a Secret resource is committed to git; values come from variables or a secret store.',
  sources: [{ title: 'Terraform: sensitive input variables', url: 'https://developer.hashicorp.com/terraform/tutorials/configuration-language/sensitive-variables' }],
  refs: [],
  fix: 'Fill sensitive Secret keys from variables (data_wo = { password = var.redis_password }).',
  check: (ctx) =>
    ofTypes(ctx.stack, secretTypes).map((r): Verdict => {
      const literal = ['data', 'binary_data', 'data_wo', 'binary_data_wo', 'string_data']
        .flatMap((k) => secretValues(r.attributes, k))
        .filter(([k, v]) => sensitiveKey.test(k) && typeof v === 'string' && v !== '' && !isExpression(v))
        .map(([k]) => k);
      return { resource: r.address, detail: str(block(r.attributes, 'metadata'), 'name') ?? '', ok: literal.length === 0, message: literal.length ? `literal values for ${literal.join(', ')}` : 'sensitive keys come from expressions' };
    }),
};

const writeOnlySecretData: Rule = {
  id: 'secrets.write-only-data',
  rationale: 'Values in a Secret\'s `data` are stored in plain text in Terraform state; write-only `data_wo` never is.',
  sources: [{ title: 'Terraform: write-only arguments (1.11+)', url: 'https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments' }, { title: 'kubernetes_secret_v1 data_wo', url: 'https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/secret_v1#data_wo-1' }],
  refs: [],
  fix: 'Move the values from data / binary_data to data_wo / binary_data_wo and bump data_wo_revision when they change.',
  check: (ctx) =>
    ofTypes(ctx.stack, secretTypes).map((r): Verdict => {
      const inState = ['data', 'binary_data'].flatMap((k) => secretValues(r.attributes, k).map(([key]) => `${k}.${key}`));
      return { resource: r.address, detail: str(block(r.attributes, 'metadata'), 'name') ?? '', ok: inState.length === 0, message: inState.length ? `${inState.join(', ')} end up in Terraform state` : 'values are write-only' };
    }),
};

const envLiteral: Rule = {
  id: 'secrets.env-literal',
  rationale: 'An environment variable named like a secret with a literal value is a secret in the pod spec for anyone who can read it.',
  sources: [kubeLinter('env-var-secret')],
  refs: ['kube-linter:env-var-secret'],
  fix: 'Use value_from.secret_key_ref (or a mounted Secret file) for secret environment variables.',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const literal = blocks(c.body, 'env')
        .filter((e) => sensitiveKey.test(str(e, 'name') ?? '') && (str(e, 'value') ?? '') !== '')
        .map((e) => str(e, 'name') ?? '?');
      return { ok: literal.length === 0, message: literal.length ? `literal secret env ${literal.join(', ')}` : 'no literal secret env' };
    }),
};

export const secretRules: readonly Rule[] = [providerCredentials, literalSecretData, writeOnlySecretData, envLiteral];
