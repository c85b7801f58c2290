/**
 * The one entry point the CLI, the aspect and the tests share: rules + waivers over a set of stacks.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackDoc } from './engine/model.js';
import type { Rule } from './engine/rule.js';
import { runRules, type Result } from './engine/run.js';
import { allRules } from './rules/index.js';
import { applyWaivers, loadWaivers, today, type Waiver } from './waivers.js';

export interface CheckOptions {
  readonly rules?: readonly Rule[];
  readonly waivers?: readonly Waiver[];
  /** The date waivers are judged against (YYYY-MM-DD, UTC); today by default. */
  readonly date?: string;
  /** Report only on these stacks; the rest of their environment is context. */
  readonly only?: readonly string[];
}

export interface CheckReport {
  readonly results: readonly Result[];
  readonly summary: { readonly pass: number; readonly fail: number; readonly waived: number; readonly stacks: readonly string[] };
}

export function checkStacks(stacks: readonly StackDoc[], options: CheckOptions = {}): CheckReport {
  const raw = runRules(stacks, options.rules ?? allRules, options.only ? { only: options.only } : {});
  const results = applyWaivers(raw, options.waivers ?? [], options.date ?? today());
  const count = (o: Result['outcome']): number => results.filter((r) => r.outcome === o).length;
  const names = stacks.map((s) => s.name).filter((n) => !options.only || options.only.includes(n));
  return { results, summary: { pass: count('pass'), fail: count('fail'), waived: count('waived'), stacks: names } };
}

export const policiesDir = dirname(fileURLToPath(import.meta.url));

/** The repository's waiver file: policies/waivers.yaml, else policies/waivers.json, else none. */
export function defaultWaiverFile(dir: string = policiesDir): string | undefined {
  return ['waivers.yaml', 'waivers.yml', 'waivers.json'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

export function ruleIds(rules: readonly Rule[] = allRules): Set<string> {
  return new Set(rules.map((r) => r.id));
}

/** Loads the default waiver file if there is one. */
export function defaultWaivers(): Waiver[] {
  const file = defaultWaiverFile();
  return file ? loadWaivers(file, ruleIds()) : [];
}
