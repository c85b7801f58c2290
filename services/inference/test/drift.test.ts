/**
 * Drift monitoring in the real service (the demo encoder with its shipped drift-profile.json, worker threads,
 * batcher): live requests land in the profile's bins exactly as the profile CLI bins a sample, the reference is
 * exported beside them, and a profile that does not fit its model refuses the version at load.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSample } from '../scripts/drift/demo-sample.js';
import { featureValues } from '../src/drift/features.js';
import { binOf, validateDriftProfile, type DriftFeature, type DriftProfile } from '../src/drift/profile.js';
import { FixtureRepository } from './helpers/fixture-repository.js';
import { startService } from './helpers/start-service.js';
import { realService, type RealService } from './production-support/real-service.js';

let service: RealService;
const reference = demoSample({ count: 40, seed: 11, shifted: false }).trim().split('\n').map((l) => JSON.parse(l));
const shifted = demoSample({ count: 30, seed: 12, shifted: true }).trim().split('\n').map((l) => JSON.parse(l));

beforeAll(async () => {
  service = await realService({ AUTH_MODE: 'none', CACHE_ENABLED: 'false' });
});
afterAll(() => service.app.close());

async function send(bodies: object[]): Promise<void> {
  const statuses = await Promise.all(bodies.map((payload) => service.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload }).then((r) => r.statusCode)));
  expect(statuses.every((s) => s === 200)).toBe(true);
}

/** bin → count of one feature in the exported text. */
function exported(text: string, metric: string, feature: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${metric}\\{model="demo",version="1",feature="${feature.replace(/\./g, '\\.')}",bin="(\\d+)"\\} (\\S+)$`).exec(line);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

function offline(feature: DriftFeature, bodies: Array<{ inputs: Array<{ name: string; shape: number[]; data: number[] }> }>): number[] {
  const counts = new Array<number>(feature.edges.length + 1).fill(0);
  for (const body of bodies) {
    const tensor = body.inputs.find((t) => t.name === feature.tensor);
    if (tensor) featureValues(feature.kind, tensor, (v) => counts[binOf(feature.edges, v)]!++);
  }
  return counts;
}

describe('drift monitoring in the service', () => {
  it('loads the shipped profile with the version and exports its reference, every bin at 0 before traffic', async () => {
    const profile = service.app.modelRegistry.resolve('demo', '1').driftProfile as DriftProfile;
    expect(profile.features.map((f) => f.name)).toEqual([
      'input_ids.values', 'input_ids.nonzero_per_row', 'attention_mask.values', 'attention_mask.nonzero_per_row', 'probabilities.argmax',
    ]);
    await new Promise((r) => setImmediate(r));
    const text = await service.production.metrics.registry.metrics();
    for (const feature of profile.features) {
      const ref = exported(text, 'inference_drift_reference_ratio', feature.name);
      expect([...ref.keys()].sort((a, b) => a - b)).toEqual(feature.reference.map((_, i) => i));
      feature.reference.forEach((q, i) => expect(ref.get(i)).toBeCloseTo(q, 9));
      expect([...exported(text, 'inference_drift_observations_total', feature.name).values()].every((n) => n === 0)).toBe(true);
    }
  });

  it('counts live inputs into the same bins the profile CLI uses, and each answered row’s class', async () => {
    const profile = service.app.modelRegistry.resolve('demo', '1').driftProfile as DriftProfile;
    await send([...reference, ...shifted]);
    const text = await service.production.metrics.registry.metrics();
    for (const feature of profile.features.filter((f) => f.kind !== 'output_argmax')) {
      const live = exported(text, 'inference_drift_observations_total', feature.name);
      expect(feature.reference.map((_, i) => live.get(i) ?? -1)).toEqual(offline(feature, [...reference, ...shifted]));
    }
    const classes = exported(text, 'inference_drift_observations_total', 'probabilities.argmax');
    expect([...classes.values()].reduce((a, b) => a + b, 0)).toBe(reference.length + shifted.length);
    // The shifted requests are 32–64 tokens long; the reference ones 8–24: they fill the profile's top length bin.
    const lengths = exported(text, 'inference_drift_observations_total', 'input_ids.nonzero_per_row');
    expect(lengths.get(profile.features[1]!.edges.length)).toBeGreaterThanOrEqual(shifted.length);
  });

  it('a scrape takes the pending counts once: the next scrape without traffic shows the same totals', async () => {
    const first = await service.production.metrics.registry.metrics();
    const second = await service.production.metrics.registry.metrics();
    expect(exported(second, 'inference_drift_observations_total', 'input_ids.values')).toEqual(exported(first, 'inference_drift_observations_total', 'input_ids.values'));
  });
});

describe('drift profile validation at load', () => {
  let repo: FixtureRepository;
  beforeAll(async () => {
    repo = await FixtureRepository.create();
  });
  afterAll(() => repo.remove());

  it('a profile naming a tensor the model lacks refuses the version, naming the file and the field', async () => {
    await repo.addDemo();
    const shipped = JSON.parse(JSON.stringify(service.app.modelRegistry.resolve('demo', '1').driftProfile)) as { features: Array<{ tensor: string }> };
    shipped.features[0]!.tensor = 'tokens';
    const file = join(repo.root, 'demo', '1', 'drift-profile.json');
    await writeFile(file, JSON.stringify(shipped));
    const broken = await startService({ modelRepository: repo.root });
    try {
      const served = broken.app.modelRegistry.resolve('demo', '1');
      expect(served.state).toBe('unavailable');
      expect(served.reason).toBe(`${file}: features[0] (input_ids.values): the model has no input "tokens" (it has input_ids, attention_mask)`);
    } finally {
      await broken.close();
    }
  });

  const expected = { model: 'demo', version: 1, inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32' as const, shape: [-1, 3] }] };
  const good = () => ({
    schemaVersion: 1,
    model: 'demo',
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    sample: { source: 's', requests: 100, rows: 100 },
    features: [{ name: 'x.values', kind: 'input_values', tensor: 'x', edges: [0, 1], reference: [0.25, 0.5, 0.25], summary: { count: 1, mean: 0, std: 0, min: 0, p05: 0, p50: 0, p95: 0, max: 0 } }],
  });
  const cases: Array<[string, (p: ReturnType<typeof good>) => void, string]> = [
    ['the version folder disagrees', (p) => (p.version = 2), 'version is 2, but the file sits in version 1'],
    ['edges do not increase', (p) => (p.features[0]!.edges = [1, 1]), 'edges must increase strictly'],
    ['the reference is not a distribution', (p) => (p.features[0]!.reference = [0.5, 0.5, 0.5]), 'reference fractions sum to 1.5, not 1'],
    ['the reference has the wrong number of bins', (p) => (p.features[0]!.reference = [0.5, 0.5]), 'reference must hold 3 fractions'],
    ['a kind is unknown', (p) => (p.features[0]!.kind = 'input_mean'), 'kind must be one of input_values, input_nonzero_per_row, output_argmax'],
    ['too many bins', (p) => { p.features[0]!.edges = Array.from({ length: 20 }, (_, i) => i); p.features[0]!.reference = Array.from({ length: 21 }, () => 1 / 21); }, '21 bins; at most 20'],
  ];
  it('accepts a well-formed profile', () => {
    expect(validateDriftProfile(good(), expected, 'p.json').features[0]?.name).toBe('x.values');
  });
  it.each(cases)('refuses a profile when %s', (_what, mutate, message) => {
    const p = good();
    mutate(p);
    expect(() => validateDriftProfile(p, expected, 'p.json')).toThrow(message);
  });
});

describe('feature values', () => {
  it('reads int64 and uint64 exactly through 32-bit views (every safe integer, negative ones included)', () => {
    const signed = [0n, 1n, -1n, 2n ** 40n + 5n, -(2n ** 40n) - 7n, 9007199254740991n, -9007199254740991n, 4294967295n, 4294967296n, -4294967296n];
    const got: number[] = [];
    featureValues('input_values', { shape: [signed.length], data: BigInt64Array.from(signed) }, (v) => got.push(v));
    expect(got).toEqual(signed.map(Number));
    const unsigned = [0n, 4294967295n, 4294967296n, 2n ** 52n + 3n];
    const u: number[] = [];
    featureValues('input_values', { shape: [unsigned.length], data: BigUint64Array.from(unsigned) }, (v) => u.push(v));
    expect(u).toEqual(unsigned.map(Number));
  });

  it('reads a view into a larger buffer from its own offset', () => {
    const backing = BigInt64Array.from([7n, 8n, 9n, 10n]);
    const view = new BigInt64Array(backing.buffer, 16, 2);
    const got: number[] = [];
    featureValues('input_values', { shape: [2], data: view }, (v) => got.push(v));
    expect(got).toEqual([9, 10]);
  });

  it('counts non-zero elements per row and the argmax class of each row', () => {
    const rows: number[] = [];
    featureValues('input_nonzero_per_row', { shape: [2, 4], data: BigInt64Array.from([5n, 6n, 0n, 0n, 1n, 1n, 1n, 0n]) }, (v) => rows.push(v));
    expect(rows).toEqual([2, 3]);
    const classes: number[] = [];
    featureValues('output_argmax', { shape: [2, 3], data: [0.1, 0.7, 0.2, 0.5, 0.2, 0.3] }, (v) => classes.push(v));
    expect(classes).toEqual([1, 0]);
  });
});
