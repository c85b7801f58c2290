/**
 * Runs rules over stacks and turns verdicts into results (pass / fail / waived), grouping stacks by environment
 * so a rule can look at the sibling stack.
 */
import type { StackDoc } from './model.js';
import type { Rule, RuleContext, Verdict } from './rule.js';

export type Outcome = 'pass' | 'fail' | 'waived';

export interface Result {
  readonly rule: string;
  /** External ids of the rule (checkov, kube-linter). */
  readonly refs: readonly string[];
  readonly stack: string;
  readonly resource: string;
  readonly detail: string;
  readonly outcome: Outcome;
  readonly message: string;
  readonly fix: string;
  /** Set when a waiver turned a failure into `waived`. */
  readonly waiver?: { readonly reason: string; readonly expires: string };
}

export interface RunOptions {
  /** Only report on these stacks (the others still serve as environment context). */
  readonly only?: readonly string[];
}

/** Stacks of the same environment, keyed by the environment suffix (`dev`); stacks without one stand alone. */
export function environmentGroups(stacks: readonly StackDoc[]): Map<string, StackDoc[]> {
  const groups = new Map<string, StackDoc[]>();
  for (const s of stacks) {
    const key = s.environment ?? `\u0000${s.name}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return groups;
}

function safeCheck(rule: Rule, ctx: RuleContext): Verdict[] {
  try {
    return rule.check(ctx);
  } catch (err) {
    // A crashing rule must not pass silently: report it as a violation of that rule.
    return [{ resource: '(rule)', detail: '', ok: false, message: `rule crashed: ${(err as Error).message}` }];
  }
}

export function runRules(stacks: readonly StackDoc[], rules: readonly Rule[], options: RunOptions = {}): Result[] {
  const results: Result[] = [];
  const seen = new Set<string>();
  for (const group of environmentGroups(stacks).values()) {
    for (const stack of group) {
      if (options.only && !options.only.includes(stack.name)) continue;
      const ctx: RuleContext = { stack, environmentStacks: group };
      for (const rule of rules) {
        for (const v of safeCheck(rule, ctx)) {
          const key = [rule.id, stack.name, v.resource, v.detail, v.ok, v.message].join('\u0000');
          if (seen.has(key)) continue;
          seen.add(key);
          results.push({ rule: rule.id, refs: rule.refs, stack: stack.name, resource: v.resource, detail: v.detail, outcome: v.ok ? 'pass' : 'fail', message: v.message, fix: rule.fix });
        }
      }
    }
  }
  return results;
}

export function violations(results: readonly Result[]): Result[] {
  return results.filter((r) => r.outcome === 'fail');
}
