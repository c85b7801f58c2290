/**
 * A model version's drift reference profile: `<model>/<version>/drift-profile.json`, written by
 * `npm run drift-profile` from a sample of requests (scripts/drift) and validated when the version loads.
 *
 * Every feature is a histogram over fixed bin edges: bins are (-∞, e₀], (e₀, e₁], …, (eₖ₋₁, +∞), and `reference`
 * holds the sample's fraction in each. The service counts live values into the same bins and exports them, and
 * PrometheusRules compare the two with the population stability index (docs/usage-and-drift.md).
 */
import type { TensorSpec } from '../protocol/types.js';

/** What a feature measures, per row of a request. */
export type FeatureKind =
  /** Every element value of an input (feature values, token ids). */
  | 'input_values'
  /** Non-zero elements per row of an input (the token count of an attention mask or a padded id sequence). */
  | 'input_nonzero_per_row'
  /** The class a row is assigned: argmax over the last axis of a [batch, classes] output. */
  | 'output_argmax';

export const featureKinds: readonly FeatureKind[] = ['input_values', 'input_nonzero_per_row', 'output_argmax'];

/** Summary statistics of the sample, for people reading the profile (the rules use only the bins). */
export interface FeatureSummary {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly p05: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface DriftFeature {
  /** Metric label value: `<tensor>.<what>`, e.g. `input_ids.values`. */
  readonly name: string;
  readonly kind: FeatureKind;
  /** The input or output tensor the feature is computed from. */
  readonly tensor: string;
  /** Strictly increasing, finite bin edges; edges.length + 1 bins. */
  readonly edges: readonly number[];
  /** Fraction of the sample in each bin (sums to 1). */
  readonly reference: readonly number[];
  readonly summary: FeatureSummary;
}

export interface DriftProfile {
  readonly schemaVersion: 1;
  readonly model: string;
  readonly version: number;
  /** ISO time the profile was written. */
  readonly createdAt: string;
  readonly sample: { readonly source: string; readonly requests: number; readonly rows: number };
  readonly features: readonly DriftFeature[];
}

/** Bounds that keep the exported series few: features × bins per model version. */
export const profileLimits = { maxFeatures: 16, maxBins: 20 } as const;

export const driftProfileFile = 'drift-profile.json';

export class DriftProfileError extends Error {
  override name = 'DriftProfileError';
}

const featureName = /^[A-Za-z0-9_.:-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Validates a parsed profile against the version it sits beside: model and version match, every feature names a
 * tensor the model has (outputs for output_argmax, numeric non-FP16 inputs otherwise), edges increase, and the
 * reference is a distribution over edges.length + 1 bins.
 */
export function validateDriftProfile(
  json: unknown,
  expected: { readonly model: string; readonly version: number; readonly inputs: readonly TensorSpec[]; readonly outputs: readonly TensorSpec[] },
  source: string,
): DriftProfile {
  const fail = (message: string): never => {
    throw new DriftProfileError(`${source}: ${message}`);
  };
  if (!isObject(json)) fail('must be a JSON object');
  const p = json as Record<string, unknown>;
  if (p.schemaVersion !== 1) fail(`schemaVersion must be 1, got ${JSON.stringify(p.schemaVersion)}`);
  if (p.model !== expected.model) fail(`model is ${JSON.stringify(p.model)}, but the file sits in model "${expected.model}"`);
  if (p.version !== expected.version) fail(`version is ${JSON.stringify(p.version)}, but the file sits in version ${expected.version}`);
  if (typeof p.createdAt !== 'string' || Number.isNaN(Date.parse(p.createdAt))) fail('createdAt must be an ISO time');
  const sample = p.sample;
  if (!isObject(sample) || typeof sample.source !== 'string' || !Number.isSafeInteger(sample.requests) || !Number.isSafeInteger(sample.rows)) {
    fail('sample must be { source: string, requests: integer, rows: integer }');
  }
  if (!Array.isArray(p.features) || p.features.length === 0) fail('features must be a non-empty array');
  const features = p.features as unknown[];
  if (features.length > profileLimits.maxFeatures) fail(`has ${features.length} features; at most ${profileLimits.maxFeatures} (each is a set of time series)`);
  const seen = new Set<string>();
  const checked = features.map((raw, i) => {
    const where = `features[${i}]`;
    if (!isObject(raw)) return fail(`${where} must be an object`);
    const { name, kind, tensor, edges, reference, summary } = raw;
    if (typeof name !== 'string' || !featureName.test(name)) return fail(`${where}.name must be 1–64 characters of letters, digits and _.:-`);
    if (seen.has(name)) fail(`${where}: feature "${name}" appears twice`);
    seen.add(name);
    if (!featureKinds.includes(kind as FeatureKind)) fail(`${where} (${name}): kind must be one of ${featureKinds.join(', ')}`);
    const specs = kind === 'output_argmax' ? expected.outputs : expected.inputs;
    const spec = specs.find((s) => s.name === tensor);
    if (spec === undefined) {
      fail(`${where} (${name}): the model has no ${kind === 'output_argmax' ? 'output' : 'input'} "${String(tensor)}" (it has ${specs.map((s) => s.name).join(', ')})`);
    } else if (spec.datatype === 'FP16') fail(`${where} (${name}): FP16 tensors are not profiled`);
    if (!Array.isArray(edges) || edges.length === 0 || !edges.every(finite)) fail(`${where} (${name}): edges must be a non-empty array of finite numbers`);
    const e = edges as number[];
    if (e.some((v, j) => j > 0 && v <= (e[j - 1] as number))) fail(`${where} (${name}): edges must increase strictly`);
    if (e.length + 1 > profileLimits.maxBins) fail(`${where} (${name}): ${e.length + 1} bins; at most ${profileLimits.maxBins}`);
    if (!Array.isArray(reference) || reference.length !== e.length + 1 || !reference.every((v) => finite(v) && v >= 0)) {
      fail(`${where} (${name}): reference must hold ${e.length + 1} fractions ≥ 0 (one per bin)`);
    }
    const total = (reference as number[]).reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) fail(`${where} (${name}): reference fractions sum to ${total}, not 1`);
    if (!isObject(summary) || !['count', 'mean', 'std', 'min', 'p05', 'p50', 'p95', 'max'].every((k) => finite(summary[k]))) {
      fail(`${where} (${name}): summary must hold count, mean, std, min, p05, p50, p95 and max`);
    }
    return raw as unknown as DriftFeature;
  });
  return { ...(p as unknown as DriftProfile), features: checked };
}

/** Index of the bin `value` falls in: the first edge ≥ value, else the last bin (binary search). */
export function binOf(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
