/**
 * Synthesizes stacks in memory (no cdktf.out writes) and offers small lookups over the Terraform JSON.
 * Results are cached per environment set so each test file builds the app once.
 */
import { Testing, TerraformStack } from 'cdktf';
import { buildApp } from '../app.js';
import { loadEnvironment, type EnvironmentConfig } from '../environments/index.js';

export interface StackJson {
  readonly raw: string;
  readonly json: {
    readonly resource: Record<string, Record<string, Record<string, unknown>>>;
    readonly terraform: Record<string, unknown>;
    readonly variable?: Record<string, Record<string, unknown>>;
    readonly provider?: Record<string, unknown[]>;
  };
}

const cache = new Map<string, Map<string, StackJson>>();

/** Every stack of the app (all environments by default), by stack name. */
export function synthStacks(environments?: readonly EnvironmentConfig[]): Map<string, StackJson> {
  const key = environments ? JSON.stringify(environments) : 'default';
  const cached = cache.get(key);
  if (cached) return cached;
  const app = buildApp({ outdir: '/nonexistent-not-written', environments });
  const out = new Map<string, StackJson>();
  for (const child of app.node.children) {
    if (child instanceof TerraformStack) {
      const raw = Testing.synth(child);
      out.set(child.node.id, { raw, json: JSON.parse(raw) });
    }
  }
  cache.set(key, out);
  return out;
}

/**
 * One stack by name (`platform-prod`). Without `environments`, builds only that stack's environment, so a test
 * file that looks at one environment does not pay for synthesizing all of them.
 */
export function stack(name: string, environments?: readonly EnvironmentConfig[]): StackJson {
  const envName = name.replace(/^(platform|inference)-/, '');
  const s = synthStacks(environments ?? [loadEnvironment(envName)]).get(name);
  if (!s) throw new Error(`no stack ${name}`);
  return s;
}

/** Resource bodies of a Terraform type. */
export function resources(s: StackJson, type: string): Record<string, unknown>[] {
  return Object.values(s.json.resource[type] ?? {});
}

/** A typed resource by its metadata name (synthesized JSON: tests navigate it freely, hence `any`). */
export function byName(s: StackJson, type: string, name: string): Record<string, any> {
  const found = resources(s, type).find((r) => (r.metadata as { name?: string } | undefined)?.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}

/** The one `kubernetes_manifest` object of a kind; throws when there is none. */
export function manifest(s: StackJson, kind: string): Record<string, any> {
  const [first] = manifests(s, kind);
  if (!first) throw new Error(`no ${kind} manifest`);
  return first;
}

/** `kubernetes_manifest` objects of a kind. */
export function manifests(s: StackJson, kind: string): Record<string, any>[] {
  return resources(s, 'kubernetes_manifest')
    .map((r) => r.manifest as Record<string, any>)
    .filter((m) => m.kind === kind);
}
