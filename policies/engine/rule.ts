/**
 * The contract every rule implements. A rule is data (id, rationale, sources, fix hint) plus one pure function
 * from a stack to verdicts, so the CLI, the CDKTF aspect, the docs generator and the tests all share it.
 */
import type { StackDoc } from './model.js';

export interface RuleSource {
  /** What the link is, e.g. "checkov CKV_K8S_11" or "Pod Security Standards: restricted". */
  readonly title: string;
  readonly url: string;
}

export interface RuleContext {
  /** The stack under check; verdicts are about its resources. */
  readonly stack: StackDoc;
  /**
   * Every stack of the same environment, `stack` included. Some facts live in the sibling stack: the SSD
   * StorageClass is declared in `platform-<env>`, the claim that uses it in `inference-<env>`.
   */
  readonly environmentStacks: readonly StackDoc[];
}

export interface Verdict {
  /** Terraform address of the resource the verdict is about (`kubernetes_deployment_v1.stable`). */
  readonly resource: string;
  /** Where inside the resource, e.g. `container server`; empty when the whole resource is meant. */
  readonly detail: string;
  readonly ok: boolean;
  /** What was found, in words a reviewer can act on. */
  readonly message: string;
}

export interface Rule {
  /** Stable id, `<family>.<name>`; waivers and CI annotations refer to it. */
  readonly id: string;
  /** One-line rationale: why the rule exists. */
  readonly rationale: string;
  /** Where the rule comes from (Pod Security Standards, checkov, kube-linter, the project's seeds). */
  readonly sources: readonly RuleSource[];
  /** External ids this rule corresponds to, e.g. `CKV_K8S_11` or `kube-linter:latest-tag`. */
  readonly refs: readonly string[];
  /** How to fix a violation. */
  readonly fix: string;
  check(ctx: RuleContext): Verdict[];
}

export function pass(resource: string, message: string, detail = ''): Verdict {
  return { resource, detail, ok: true, message };
}

export function fail(resource: string, message: string, detail = ''): Verdict {
  return { resource, detail, ok: false, message };
}

/** `ok ? pass : fail` in one call, for rules that compute a condition and one message. */
export function verdict(ok: boolean, resource: string, message: string, detail = ''): Verdict {
  return { resource, detail, ok, message };
}

/** The family of a rule is the part of its id before the first dot (`workload.cpu-limits` → `workload`). */
export function familyOf(rule: Rule): string {
  return rule.id.split('.')[0] ?? rule.id;
}
