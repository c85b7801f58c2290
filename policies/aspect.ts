/**
 * PolicyAspect: the same rules at synth time. Added to every TerraformStack of an App (`applyPolicies(app)`), it
 * reads the stack's Terraform JSON (`stack.toTerraform()`, tokens resolved) together with the other stacks of
 * its environment and records each violation as an error annotation on the stack.
 *
 * Why an annotation rather than a throw: cdktf's StackSynthesizer throws on error annotations right after the
 * aspects ran (`app.synth()` fails with every message at once), and `cdktf synth` sets
 * CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, prints the annotations and then fails
 * (node_modules/cdktf/lib/synthesize/synthesizer.js, @cdktf/cli-core/src/lib/synth.js). Either way synth fails
 * with the rule ids in the message, and the CLI shows all of them instead of the first.
 *
 * Aspects are invoked per stack starting at the stack itself, so an aspect added to the App is never inherited;
 * that is why applyPolicies adds it to each stack.
 */
import { Annotations, Aspects, TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { checkStacks, defaultWaivers, type CheckOptions } from './check.js';
import { environmentOf, stackFromJson, type StackDoc } from './engine/model.js';

export type PolicyAspectOptions = Omit<CheckOptions, 'only'>;

function docOf(stack: TerraformStack): StackDoc {
  return stackFromJson(stack.node.id, [stack.toTerraform()]);
}

export class PolicyAspect implements IAspect {
  private readonly options: PolicyAspectOptions;
  /**
   * Sibling stacks' JSON, for context only. `toTerraform()` is the expensive part of a check, so a stack's JSON
   * computed as context is reused; the stack under check is always read fresh, after its own aspects ran.
   */
  private readonly context = new WeakMap<TerraformStack, StackDoc>();

  constructor(options: PolicyAspectOptions = {}) {
    this.options = { ...options, waivers: options.waivers ?? defaultWaivers() };
  }

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const env = environmentOf(node.node.id);
    const siblings = node.node.root.node
      .findAll()
      .filter((c): c is TerraformStack => TerraformStack.isStack(c))
      .filter((s) => s === node || (env !== undefined && environmentOf(s.node.id) === env));
    const docs = siblings.map((s) => {
      const cached = s === node ? undefined : this.context.get(s);
      if (cached) return cached;
      const doc = docOf(s);
      this.context.set(s, doc);
      return doc;
    });
    const report = checkStacks(docs, { ...this.options, only: [node.node.id] });
    for (const r of report.results.filter((r) => r.outcome === 'fail')) {
      Annotations.of(node).addError(`[policy ${r.rule}] ${r.resource}${r.detail ? ` (${r.detail})` : ''}: ${r.message} — fix: ${r.fix}`);
    }
  }
}

/** Adds a PolicyAspect to every stack of the app (call after the stacks are created). */
export function applyPolicies(scope: IConstruct, options: PolicyAspectOptions = {}): void {
  const aspect = new PolicyAspect(options);
  for (const stack of scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c))) {
    Aspects.of(stack).add(aspect);
  }
}
