/**
 * Providers read the cluster from a kubeconfig file and context given as Terraform variables (`kubeconfig_path`,
 * `kube_context`); no credentials ever appear in code or in the synthesized JSON. Versions: the prebuilt
 * providers pin hashicorp/kubernetes and hashicorp/helm exactly; Terraform itself is constrained here.
 */
import { HelmProvider } from '@cdktf/provider-helm/lib/provider/index.js';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
import { TerraformVariable, type TerraformStack } from 'cdktf';

/** Write-only Secret data (`data_wo`) needs Terraform 1.11. */
export const terraformVersionConstraint = '>= 1.11.0, < 2.0.0';

export interface ProviderOptions {
  readonly defaultContext: string;
  /** The platform stack installs Helm releases; the inference stack needs only the Kubernetes provider. */
  readonly helm: boolean;
}

export function configureProviders(stack: TerraformStack, options: ProviderOptions): void {
  stack.addOverride('terraform.required_version', terraformVersionConstraint);
  const configPath = new TerraformVariable(stack, 'kubeconfig_path', {
    type: 'string',
    default: '~/.kube/config',
    description: 'Path of the kubeconfig file to reach the cluster with.',
  }).stringValue;
  const configContext = new TerraformVariable(stack, 'kube_context', {
    type: 'string',
    default: options.defaultContext,
    description: 'kubeconfig context of the environment’s cluster.',
  }).stringValue;
  new KubernetesProvider(stack, 'kubernetes', { configPath, configContext });
  if (options.helm) new HelmProvider(stack, 'helm', { kubernetes: { configPath, configContext } });
}

/** A sensitive input with no default: `terraform plan` fails until the pipeline supplies it (TF_VAR_<name>). */
export function secretVariable(stack: TerraformStack, name: string, description: string, defaultValue?: string): string {
  return new TerraformVariable(stack, name, { type: 'string', sensitive: true, nullable: false, description, default: defaultValue })
    .stringValue;
}

/** Revision of all write-only Secret data of a stack; bump it to push rotated values. */
export function secretsRevision(stack: TerraformStack): number {
  return new TerraformVariable(stack, 'secrets_revision', {
    type: 'number',
    default: 1,
    description: 'Bump to re-send write-only Secret values (rotation).',
  }).numberValue;
}
