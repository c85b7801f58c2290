/**
 * Waivers: a reviewed, time-boxed exception to one rule for one resource.
 *
 * ```yaml
 * waivers:
 *   - rule: rollout.pod-disruption-budget
 *     resource: inference-staging/kubernetes_deployment_v1.stable   # <stack>/<address>, or <address> for every stack
 *     reason: single-GPU staging cluster, PDB would block node upgrades (TICKET-123)
 *     expires: 2026-12-31
 * ```
 *
 * A waiver whose expiry date has passed no longer applies and is itself reported as a violation
 * (`waiver.expired`), so exceptions cannot quietly become permanent. `*` in `resource` matches any characters.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Result } from './engine/run.js';
import { isObject } from './engine/values.js';

export interface Waiver {
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
  /** Last day (UTC, inclusive) the waiver applies, YYYY-MM-DD. */
  readonly expires: string;
}

export class WaiverFileError extends Error {}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!datePattern.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Parses a waiver file's text (YAML or JSON; JSON is YAML); throws WaiverFileError naming the problem. */
export function parseWaivers(text: string, file: string, knownRules?: ReadonlySet<string>): Waiver[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new WaiverFileError(`${file}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  const list = isObject(doc) ? doc['waivers'] : doc;
  if (!Array.isArray(list)) throw new WaiverFileError(`${file}: expected a list under "waivers"`);
  return list.map((entry, i): Waiver => {
    const where = `${file}: waiver ${i + 1}`;
    if (!isObject(entry)) throw new WaiverFileError(`${where}: must be a mapping with rule, resource, reason, expires`);
    const get = (key: string): string => {
      const raw = entry[key];
      // YAML 1.1 loaders turn 2026-12-31 into a Date; accept that too.
      const value = raw instanceof Date ? raw.toISOString().slice(0, 10) : raw;
      if (typeof value !== 'string' || value.trim() === '') throw new WaiverFileError(`${where}: "${key}" is required and must be a non-empty string`);
      return value.trim();
    };
    const waiver = { rule: get('rule'), resource: get('resource'), reason: get('reason'), expires: get('expires') };
    const unknown = Object.keys(entry).filter((k) => !['rule', 'resource', 'reason', 'expires'].includes(k));
    if (unknown.length) throw new WaiverFileError(`${where}: unknown field(s) ${unknown.join(', ')}`);
    if (!validDate(waiver.expires)) throw new WaiverFileError(`${where}: expires "${waiver.expires}" is not a date in YYYY-MM-DD form`);
    if (knownRules && !knownRules.has(waiver.rule)) throw new WaiverFileError(`${where}: unknown rule id "${waiver.rule}"`);
    return waiver;
  });
}

export function loadWaivers(file: string, knownRules?: ReadonlySet<string>): Waiver[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WaiverFileError(`${file}: cannot read waiver file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseWaivers(text, file, knownRules);
}

function pattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function matches(w: Waiver, r: Result): boolean {
  if (w.rule !== r.rule) return false;
  const re = pattern(w.resource);
  return re.test(`${r.stack}/${r.resource}`) || re.test(r.resource);
}

/** Today's date in UTC as YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Applies waivers: an unexpired matching waiver turns a failure into `waived`; every expired waiver adds a
 * `waiver.expired` failure.
 */
export function applyWaivers(results: readonly Result[], waivers: readonly Waiver[], date: string = today()): Result[] {
  const active = waivers.filter((w) => w.expires >= date);
  const expired = waivers.filter((w) => w.expires < date);
  const applied = results.map((r): Result => {
    if (r.outcome !== 'fail') return r;
    const w = active.find((w) => matches(w, r));
    return w ? { ...r, outcome: 'waived', waiver: { reason: w.reason, expires: w.expires } } : r;
  });
  const expiredResults = expired.map(
    (w): Result => ({
      rule: 'waiver.expired',
      refs: [],
      stack: '(waivers)',
      resource: w.resource,
      detail: w.rule,
      outcome: 'fail',
      message: `waiver for ${w.rule} expired on ${w.expires} (${w.reason})`,
      fix: 'Fix the underlying violation and delete the waiver, or renew it after a new review with a new expiry date.',
    }),
  );
  return [...applied, ...expiredResults];
}
