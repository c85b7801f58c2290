/**
 * Per-workload and per-container iteration for rules, plus the effective security context (a container's
 * setting overrides the pod's, https://kubernetes.io/docs/tasks/configure-pod-container/security-context/).
 */
import type { RuleContext, Verdict } from '../engine/rule.js';
import { block, field, type JsonObject } from '../engine/values.js';
import { workloads, type Container, type Workload } from './workloads.js';

export interface Check {
  readonly ok: boolean;
  readonly message: string;
}

/** Runs `test` for every container of every workload in the stack; one verdict per container. */
export function eachContainer(
  ctx: RuleContext,
  test: (c: Container, w: Workload) => Check | undefined,
  options: { readonly includeInit?: boolean } = {},
): Verdict[] {
  const out: Verdict[] = [];
  for (const w of workloads(ctx.stack)) {
    for (const c of w.containers) {
      if (c.init && options.includeInit === false) continue;
      const r = test(c, w);
      const where = `${c.init ? 'init container' : 'container'} ${c.name}`;
      if (r) out.push({ resource: w.resource.address, detail: w.partial ? `${w.name}: ${where}` : where, ok: r.ok, message: r.message });
    }
  }
  return out;
}

/** Runs `test` for every workload in the stack; one verdict per workload (undefined = not applicable). */
export function eachWorkload(ctx: RuleContext, test: (w: Workload) => Check | undefined): Verdict[] {
  const out: Verdict[] = [];
  for (const w of workloads(ctx.stack)) {
    const r = test(w);
    if (r) out.push({ resource: w.resource.address, detail: w.partial ? w.name : '', ok: r.ok, message: r.message });
  }
  return out;
}

/** A security-context field as it takes effect for the container: container level first, then pod level. */
export function effectiveSecurity(w: Workload, c: Container, key: string): unknown {
  const own = field(block(c.body, 'security_context'), key);
  if (own !== undefined) return own;
  return field(block(w.podSpec, 'security_context'), key);
}

export function containerSecurity(c: Container): JsonObject | undefined {
  return block(c.body, 'security_context');
}
