/**
 * Records a release in an environment's data file (stacks/environments/<env>.ts): the image digest of a track and,
 * optionally, the canary weight. The pipeline runs it before `cdktf deploy` and proposes the same edit as a pull
 * request afterwards, so the repository always says what runs (GitOps: a release is a data change).
 *
 *   npx tsx pipelines/release/set-release.ts --env=prod --track=canary --digest=sha256:<64 hex> [--canary-weight=0]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface ReleaseEdit {
  readonly track: 'stable' | 'canary';
  /** Image digest, `sha256:` and 64 lowercase hex digits. */
  readonly digest: string;
  /** New canary weight in percent, when the release also moves it (0 before a rollout starts). */
  readonly canaryWeight?: number;
}

const digestPattern = /^sha256:[0-9a-f]{64}$/;

/** Returns the edited source; throws when the file does not have exactly one place to edit. */
export function applyRelease(source: string, edit: ReleaseEdit): string {
  if (!digestPattern.test(edit.digest)) throw new Error(`digest must be sha256:<64 lowercase hex>, got "${edit.digest}"`);
  const trackLine = new RegExp(`(\\b${edit.track}: \\{ imageDigest: ')(sha256:[0-9a-f]{64})(')`, 'g');
  const matches = source.match(trackLine) ?? [];
  if (matches.length !== 1) throw new Error(`expected one "${edit.track}: { imageDigest: '...'" entry, found ${matches.length}`);
  let out = source.replace(trackLine, `$1${edit.digest}$3`);
  if (edit.canaryWeight !== undefined) {
    if (!Number.isInteger(edit.canaryWeight) || edit.canaryWeight < 0 || edit.canaryWeight > 100) {
      throw new Error(`canary weight must be an integer from 0 to 100, got ${edit.canaryWeight}`);
    }
    const weightLine = /(\bcanaryWeight: )(\d+)(,)/g;
    if ((out.match(weightLine) ?? []).length !== 1) throw new Error('expected one "canaryWeight: <n>," entry');
    out = out.replace(weightLine, `$1${edit.canaryWeight}$3`);
  }
  return out;
}

export async function setRelease(file: string, edit: ReleaseEdit): Promise<void> {
  await writeFile(file, applyRelease(await readFile(file, 'utf8'), edit));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { values } = parseArgs({
      options: { env: { type: 'string' }, track: { type: 'string' }, digest: { type: 'string' }, 'canary-weight': { type: 'string' } },
      strict: true,
    });
    if (!values.env || !/^[a-z0-9-]+$/.test(values.env)) throw new Error('--env=<name> is required');
    if (values.track !== 'stable' && values.track !== 'canary') throw new Error('--track must be stable or canary');
    const file = resolve(import.meta.dirname, `../../stacks/environments/${values.env}.ts`);
    const weight = values['canary-weight'];
    await setRelease(file, {
      track: values.track,
      digest: values.digest ?? '',
      ...(weight !== undefined ? { canaryWeight: Number(weight) } : {}),
    });
    console.log(`set-release: ${values.env} ${values.track} → ${values.digest}${weight !== undefined ? `, canaryWeight ${weight}` : ''}`);
  } catch (error) {
    console.error(`set-release: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
