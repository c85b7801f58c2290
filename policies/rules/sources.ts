/** Links the rules cite, kept in one place so a moved page is fixed once. */
import type { RuleSource } from '../engine/rule.js';

const pssUrl = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
const checkovIndex = 'https://www.checkov.io/5.Policy%20Index/kubernetes.html';
const checkovTerraform = 'https://github.com/bridgecrewio/checkov/blob/main/checkov/terraform/checks/resource/kubernetes';
const kubeLinterUrl = 'https://docs.kubelinter.io/#/generated/checks';

/** Pod Security Standards, "restricted" (or "baseline", which restricted includes) profile. */
export function pss(control: string): RuleSource {
  return { title: `Pod Security Standards: ${control}`, url: pssUrl };
}

/** A checkov check id; Kubernetes-manifest ids unless the Terraform id is named. */
export function checkov(id: string, what: string): RuleSource {
  return { title: `checkov ${id} (${what})`, url: checkovIndex };
}

export function checkovTf(id: string, file: string): RuleSource {
  return { title: `checkov Terraform ${id} (${file})`, url: `${checkovTerraform}/${file}` };
}

export function kubeLinter(check: string): RuleSource {
  return { title: `kube-linter ${check}`, url: `${kubeLinterUrl}?id=${check}` };
}

/** The project's own requirements (seed brief, issues), with the file that holds the number. */
export function seed(what: string, url: string): RuleSource {
  return { title: `seed: ${what}`, url };
}

export const repo = {
  slo: 'policies/slo.ts',
  gpuCatalog: 'policies/catalog/gpus.ts',
  issue4: 'docs/architecture.md',
  policies: 'docs/policies.md',
} as const;
