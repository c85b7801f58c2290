/**
 * Readers for Terraform JSON values.
 *
 * Terraform's JSON syntax lets a nested block be written as one object or as a list of objects, and cdktf writes
 * single blocks as objects while other tools write `[ {...} ]`. Kubernetes custom resources inside
 * `kubernetes_manifest` use camelCase where the typed resources use snake_case. These helpers hide both
 * differences so a rule reads `field(spec, 'host_network')` once and works on every spelling.
 */

/** A JSON object as parsed from a `.tf.json` file. */
export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `run_as_non_root` → `runAsNonRoot`. */
export function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Reads `key` (snake_case) or its camelCase twin from an object; undefined for anything else. */
export function field(value: unknown, key: string): unknown {
  if (!isObject(value)) return undefined;
  if (key in value) return value[key];
  const camel = camelCase(key);
  return camel in value ? value[camel] : undefined;
}

/** A block that may be an object or a one-element list, as an object. */
export function block(value: unknown, key: string): JsonObject | undefined {
  const raw = field(value, key);
  const first = Array.isArray(raw) ? raw[0] : raw;
  return isObject(first) ? first : undefined;
}

/** A repeated block or list (object, list, or absent) as a list of objects. */
export function blocks(value: unknown, ...keys: string[]): JsonObject[] {
  for (const key of keys) {
    const raw = field(value, key);
    if (raw === undefined) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    return list.filter(isObject);
  }
  return [];
}

/** A list of strings (e.g. `capabilities.drop`); a single string counts as a one-element list. */
export function strings(value: unknown, key: string): string[] {
  const raw = field(value, key);
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string');
}

export function str(value: unknown, key: string): string | undefined {
  const raw = field(value, key);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return String(raw);
  return undefined;
}

/** Numbers may arrive as JSON numbers or numeric strings; tokens and other strings are undefined. */
export function num(value: unknown, key: string): number | undefined {
  const raw = field(value, key);
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  return undefined;
}

/** Booleans may arrive as `true` or `"true"` (Terraform coerces both). */
export function bool(value: unknown, key: string): boolean | undefined {
  const raw = field(value, key);
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

/** A string map (labels, match_labels, resource limits). */
export function stringMap(value: unknown, key: string): Record<string, string> {
  const raw = field(value, key);
  const out: Record<string, string> = {};
  if (!isObject(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** True for an unresolved Terraform expression such as `${var.image}`. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}
