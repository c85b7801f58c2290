/**
 * `npm run drift-profile`: writes a model version's drift reference profile from a sample of its requests.
 *
 *   npm run drift-profile -- --model demo --version 1 --sample sample.ndjson
 *                            [--repository DIR] [--bins 10] [--inputs a,b] [--class-output NAME] [--out FILE]
 *
 * The sample is NDJSON, one Open Inference Protocol (V2) infer request body per line (audit records carry no tensor
 * data, so they cannot serve). Each request is validated like the service validates it and run through the version's
 * model.onnx with ONNX Runtime on the CPU, for the output class distribution. The profile goes to
 * <repository>/<model>/<version>/drift-profile.json unless --out says otherwise; the service validates it at load.
 * Exit 0 with the path written, 2 with a message for bad arguments, an unusable sample or a model that will not open.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { featureValues } from '../../src/drift/features.js';
import { binOf, driftProfileFile, profileLimits, validateDriftProfile, type DriftFeature, type DriftProfile, type FeatureKind } from '../../src/drift/profile.js';
import { tensorSpecs } from '../../src/model-repository/tensor-specs.js';
import { InferenceError } from '../../src/protocol/errors.js';
import { parseInferRequest } from '../../src/protocol/parse-infer-request.js';
import type { HostTensor, TensorSpec } from '../../src/protocol/types.js';
import { dataTypeInfo } from '../../src/protocol/datatypes.js';
import { classEdges, edgesOf, featureOf } from './build-profile.js';

export const usageText =
  'usage: npm run drift-profile -- --model NAME --version N --sample sample.ndjson [--repository DIR] [--bins 10] [--inputs a,b] [--class-output NAME] [--out FILE]';

/** Fewer rows than this give bins too noisy to alert on. */
export const minSampleRows = 100;

export class ProfileCliError extends Error {
  override name = 'ProfileCliError';
}

const defaultRepository = fileURLToPath(new URL('../../models', import.meta.url));
const here = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);

interface ProfileArgs {
  readonly model: string;
  readonly version: number;
  readonly sample: string;
  readonly repository: string;
  readonly bins: number;
  readonly inputs?: readonly string[];
  readonly classOutput?: string;
  readonly out?: string;
}

export function parseProfileArgs(argv: readonly string[]): ProfileArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(['model', 'version', 'sample', 'repository', 'bins', 'inputs', 'class-output', 'out'].map((k) => [k, { type: 'string' }])),
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new ProfileCliError((error as Error).message);
  }
  for (const required of ['model', 'version', 'sample']) if (values[required] === undefined) throw new ProfileCliError(`--${required} is required`);
  const version = Number(values.version);
  if (!/^\d+$/.test(values.version ?? '') || version < 1) throw new ProfileCliError(`--version must be a positive integer, got "${values.version}"`);
  const bins = Number(values.bins ?? '10');
  if (!Number.isInteger(bins) || bins < 2 || bins > profileLimits.maxBins) throw new ProfileCliError(`--bins must be an integer 2..${profileLimits.maxBins}, got "${values.bins}"`);
  return {
    model: values.model as string,
    version,
    sample: here(values.sample as string),
    repository: values.repository !== undefined ? here(values.repository) : defaultRepository,
    bins,
    ...(values.inputs !== undefined && { inputs: values.inputs.split(',').map((s) => s.trim()).filter(Boolean) }),
    ...(values['class-output'] !== undefined && { classOutput: values['class-output'] }),
    ...(values.out !== undefined && { out: here(values.out) }),
  };
}

/** The output whose argmax is the class: --class-output, else one named like probabilities, else the first [batch, k ≤ 64]. */
function classOutput(outputs: readonly TensorSpec[], wanted: string | undefined): TensorSpec | undefined {
  if (wanted !== undefined) {
    const spec = outputs.find((o) => o.name === wanted);
    if (!spec) throw new ProfileCliError(`--class-output: the model has no output "${wanted}" (it has ${outputs.map((o) => o.name).join(', ')})`);
    return spec;
  }
  const candidates = outputs.filter((o) => o.shape.length === 2 && (o.shape[1] ?? 0) >= 2 && (o.shape[1] ?? 0) <= 64);
  return candidates.find((o) => /prob/i.test(o.name)) ?? candidates[0];
}

export async function buildProfile(args: ProfileArgs): Promise<{ profile: DriftProfile; path: string }> {
  const file = join(args.repository, args.model, String(args.version), 'model.onnx');
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], logSeverityLevel: 4 });
  } catch (error) {
    throw new ProfileCliError(`cannot open ${file}: ${(error as Error).message}`);
  }
  const meta = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
    list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
  const { inputs, outputs } = tensorSpecs(meta(session.inputMetadata), meta(session.outputMetadata));
  const profiled = (args.inputs ?? inputs.filter((s) => s.datatype !== 'FP16').map((s) => s.name)).map((name) => {
    const spec = inputs.find((s) => s.name === name);
    if (!spec) throw new ProfileCliError(`--inputs: the model has no input "${name}" (it has ${inputs.map((s) => s.name).join(', ')})`);
    return spec;
  });
  const cls = classOutput(outputs, args.classOutput);

  let text: string;
  try {
    text = await readFile(args.sample, 'utf8');
  } catch (error) {
    throw new ProfileCliError(`cannot read --sample ${args.sample}: ${(error as Error).message}`);
  }
  const collected = new Map<string, number[]>();
  const add = (name: string) => (v: number) => {
    const list = collected.get(name) ?? [];
    list.push(v);
    collected.set(name, list);
  };
  let requests = 0;
  let rows = 0;
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let body: unknown;
    try {
      body = JSON.parse(line);
    } catch {
      throw new ProfileCliError(`${args.sample}:${index + 1}: not JSON`);
    }
    let request;
    try {
      request = parseInferRequest(body, { inputs, outputs, maxElements: Number.MAX_SAFE_INTEGER });
    } catch (error) {
      throw new ProfileCliError(`${args.sample}:${index + 1}: ${error instanceof InferenceError ? error.message : (error as Error).message}`);
    }
    requests++;
    rows += request.inputs[0]?.shape[0] ?? 1;
    for (const spec of profiled) {
      const tensor = request.inputs.find((t) => t.name === spec.name) as HostTensor;
      featureValues('input_values', tensor, add(`${spec.name}.values`));
      if (tensor.shape.length >= 2) featureValues('input_nonzero_per_row', tensor, add(`${spec.name}.nonzero_per_row`));
    }
    if (cls !== undefined) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const t of request.inputs) feeds[t.name] = new ort.Tensor(dataTypeInfo[t.datatype].ort as 'float32', t.data as Float32Array, [...t.shape]);
      const result = (await session.run(feeds))[cls.name];
      if (result) featureValues('output_argmax', { shape: result.dims, data: result.data as Float32Array }, add(`${cls.name}.argmax`));
    }
  }
  await session.release();
  if (rows < minSampleRows) throw new ProfileCliError(`${args.sample} holds ${rows} rows; a profile needs at least ${minSampleRows}`);

  const features: DriftFeature[] = [];
  const kindOf = (name: string): FeatureKind => (name.endsWith('.argmax') ? 'output_argmax' : name.endsWith('.nonzero_per_row') ? 'input_nonzero_per_row' : 'input_values');
  for (const [name, list] of collected) {
    const values = Float64Array.from(list);
    const kind = kindOf(name);
    const tensor = name.slice(0, name.lastIndexOf('.'));
    const classes = kind === 'output_argmax' ? Math.max(cls?.shape[1] ?? 0, ...list.map((v) => v + 1)) : 0;
    const edges = kind === 'output_argmax' ? classEdges(classes) : edgesOf(values, args.bins);
    features.push(featureOf(name, kind, tensor, values, edges, binOf));
  }
  if (features.length > profileLimits.maxFeatures) throw new ProfileCliError(`${features.length} features; name at most ${profileLimits.maxFeatures / 2} inputs with --inputs`);
  const profile: DriftProfile = {
    schemaVersion: 1,
    model: args.model,
    version: args.version,
    createdAt: new Date().toISOString(),
    sample: { source: args.sample.split('/').pop() ?? args.sample, requests, rows },
    features,
  };
  const path = args.out ?? join(args.repository, args.model, String(args.version), driftProfileFile);
  // The check the service runs at load, so a profile that would refuse the version is never written.
  validateDriftProfile(JSON.parse(JSON.stringify(profile)), { model: args.model, version: args.version, inputs, outputs }, path);
  return { profile, path };
}

export async function main(argv: readonly string[], io = { err: (s: string): unknown => process.stderr.write(s) }): Promise<number> {
  try {
    const { profile, path } = await buildProfile(parseProfileArgs(argv));
    await writeFile(path, `${JSON.stringify(profile, null, 2)}\n`);
    io.err(`drift-profile: wrote ${path} (${profile.sample.requests} requests, ${profile.features.map((f) => `${f.name}: ${f.edges.length + 1} bins`).join(', ')})\n`);
    return 0;
  } catch (error) {
    io.err(`drift-profile: ${(error as Error).message}\n${(error as Error).name === 'ProfileCliError' && /--|required/.test((error as Error).message) ? `${usageText}\n` : ''}`);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
