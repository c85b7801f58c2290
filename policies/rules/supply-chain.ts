/**
 * Supply chain: what runs is exactly what was reviewed. Images by digest, Helm charts at an exact version from a
 * TLS-protected repository, providers and Terraform itself constrained.
 */
import type { Rule, Verdict } from '../engine/rule.js';
import { str } from '../engine/values.js';
import { eachContainer } from '../kubernetes/containers.js';
import { checkov, checkovTf, seed } from './sources.js';
import { imageParts } from './workload.js';

const digestPattern = /^sha256:[a-f0-9]{64}$/;

const imageDigest: Rule = {
  id: 'supply.image-digest',
  rationale: 'A tag can be moved to other bytes; a sha256 digest names exactly the image that was scanned and tested.',
  sources: [checkov('CKV_K8S_43', 'Image should use digest'), checkovTf('CKV_K8S_43', 'ImageDigest.py')],
  refs: ['CKV_K8S_43'],
  fix: 'Reference the image as name:tag@sha256:<64 hex> (the environment data carries the digest).',
  check: (ctx) =>
    eachContainer(ctx, (c, w) => {
      const image = str(c.body, 'image') ?? '';
      if (w.partial && !image) return undefined; // the operator picks the image from the resource's version
      const { digest } = imageParts(image);
      const ok = digest !== undefined && digestPattern.test(digest);
      return { ok, message: ok ? `pinned ${digest?.slice(0, 19)}…` : `image "${image}" is not pinned by sha256 digest` };
    }),
};

/** Exact SemVer 2.0 version, optionally with a leading `v` (Helm accepts both). */
const exactVersion = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const helmVersion: Rule = {
  id: 'supply.helm-chart-version',
  rationale: 'A chart version range or no version installs whatever was published last; reviews must see the exact chart.',
  sources: [seed('Helm releases pin exact chart versions', 'docs/architecture.md'), { title: 'helm_release version', url: 'https://registry.terraform.io/providers/hashicorp/helm/latest/docs/resources/release#version' }],
  refs: [],
  fix: 'Set version on the helm_release to an exact chart version such as "65.1.1" (no ranges, no "latest").',
  check: (ctx) =>
    ctx.stack.resources
      .filter((r) => r.type === 'helm_release')
      .map((r): Verdict => {
        const version = str(r.attributes, 'version');
        const ok = version !== undefined && exactVersion.test(version);
        return { resource: r.address, detail: `chart ${str(r.attributes, 'chart') ?? '?'}`, ok, message: ok ? `version ${version}` : `version ${version === undefined ? 'unset' : `"${version}" is not exact`}` };
      }),
};

const helmRepository: Rule = {
  id: 'supply.helm-repository',
  rationale: 'Charts fetched over plain HTTP (or from a local path nobody reviewed) can be swapped in transit.',
  sources: [seed('charts from https repositories', 'docs/architecture.md'), { title: 'Helm: OCI registries (TLS by default)', url: 'https://helm.sh/docs/topics/registries/' }],
  refs: [],
  fix: 'Set repository to an https:// chart repository or an oci:// registry (TLS); do not use http:// or local chart paths.',
  check: (ctx) =>
    ctx.stack.resources
      .filter((r) => r.type === 'helm_release')
      .map((r): Verdict => {
        const repository = str(r.attributes, 'repository');
        const chart = str(r.attributes, 'chart') ?? '';
        const source = repository ?? chart;
        // oci:// pulls use TLS unless `--plain-http` is given, which the helm provider only sets via plain_http.
        const ok = /^(https|oci):\/\//.test(source) && r.attributes['plain_http'] !== true;
        return { resource: r.address, detail: `chart ${chart}`, ok, message: ok ? `from ${source}` : `chart source "${source}" is not https:// or oci://` };
      }),
};

/** Constraints that pin a provider: exact (`1.2.3`, `= 1.2.3`) or pessimistic (`~> 1.2`). */
function pinsVersion(constraint: string): boolean {
  return constraint.split(',').map((c) => c.trim()).some((c) => /^(=\s*)?v?\d+\.\d+(\.\d+)?$/.test(c) || /^~>\s*\d+\.\d+/.test(c));
}

/** `helm_release` → `helm`; the provider a resource type belongs to. */
const providerOf = (type: string): string => type.split('_')[0] ?? type;

const providerVersions: Rule = {
  id: 'supply.provider-versions',
  rationale: 'An unconstrained provider upgrades itself on the next init and can change every plan without a code change.',
  sources: [{ title: 'Terraform: version constraints (required_providers)', url: 'https://developer.hashicorp.com/terraform/language/providers/requirements' }],
  refs: [],
  fix: 'Declare every provider in terraform.required_providers with source and an exact or "~>" version.',
  check: (ctx) => {
    const out: Verdict[] = [];
    const declared = new Map(ctx.stack.settings.requiredProviders.map((p) => [p.name, p]));
    for (const p of ctx.stack.settings.requiredProviders) {
      const ok = p.version !== undefined && pinsVersion(p.version);
      out.push({ resource: 'terraform.required_providers', detail: p.name, ok, message: ok ? `${p.source ?? p.name} ${p.version}` : `version constraint "${p.version ?? ''}" does not pin ${p.name}` });
    }
    const used = new Set([...ctx.stack.providers.map((p) => p.name), ...ctx.stack.resources.map((r) => providerOf(r.type)), ...ctx.stack.data.map((d) => providerOf(d.type))]);
    used.delete('terraform'); // built-in provider (terraform_remote_state, terraform_data)
    for (const name of used) {
      if (!declared.has(name)) out.push({ resource: 'terraform.required_providers', detail: name, ok: false, message: `provider ${name} is used but not declared in required_providers` });
    }
    return out;
  },
};

const terraformVersion: Rule = {
  id: 'supply.terraform-version',
  rationale: 'Without required_version an older or newer Terraform CLI may read the configuration differently or write incompatible state.',
  sources: [{ title: 'Terraform: required_version', url: 'https://developer.hashicorp.com/terraform/language/terraform#terraform-required_version' }],
  refs: [],
  fix: 'Set terraform.required_version (cdktf: stack.addOverride("terraform.required_version", ">= 1.5, < 2.0")).',
  check: (ctx) => {
    const v = ctx.stack.settings.requiredVersion;
    return [{ resource: 'terraform', detail: 'required_version', ok: v !== undefined && v.trim() !== '', message: v ? `required_version ${v}` : 'required_version is not set' }];
  },
};

export const supplyChainRules: readonly Rule[] = [imageDigest, helmVersion, helmRepository, providerVersions, terraformVersion];
