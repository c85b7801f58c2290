/**
 * Kubernetes name rules, checked when a construct is created so that a bad name fails `synth` with a message
 * instead of failing `terraform apply` halfway through an environment.
 */
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters (namespaces, Services, pools). */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 63) return `is ${name.length} characters long; Kubernetes allows at most 63`;
  if (!dnsLabel.test(name)) return 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/** Throws `<what> "<name>" <problem>` when `name` is not a valid DNS label; returns the name otherwise. */
export function assertDnsLabel(name: string, what: string): string {
  const problem = dnsLabelProblem(name);
  if (problem) throw new Error(`${what} "${name}" ${problem}`);
  return name;
}
