/**
 * The release record: after the production job, write into the environment data what the clusters now run, so a
 * later `cdktf deploy` neither undoes a promotion nor gives a rolled-back canary traffic again.
 *
 * Whatever the outcome, once the canary was deployed: staging runs the build as stable with weight 0 (its deploy),
 * prod runs it as canary with weight 0 (the driver ends every rollout at 0). Only a promotion also makes it prod's
 * stable. Prints the pull request title; `[skip ci]` because merging the record deploys nothing new.
 *
 *   npx tsx pipelines/release/record-release.ts --digest=sha256:<64 hex> --promoted=true|false --sha=<commit>
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setRelease, type ReleaseEdit } from './set-release.js';

export interface RecordedEdit {
  readonly env: 'staging' | 'prod';
  readonly edit: ReleaseEdit;
}

/** The edits of the record, in order; every one leaves the environment at canary weight 0. */
export function recordEdits(digest: string, promoted: boolean): RecordedEdit[] {
  return [
    { env: 'staging', edit: { track: 'stable', digest, canaryWeight: 0 } },
    { env: 'prod', edit: { track: 'canary', digest, canaryWeight: 0 } },
    ...(promoted ? [{ env: 'prod' as const, edit: { track: 'stable' as const, digest } }] : []),
  ];
}

export function recordTitle(sha: string, promoted: boolean): string {
  const short = sha.slice(0, 12);
  return promoted
    ? `release record: promote ${short} to prod stable [skip ci]`
    : `release record: ${short} not promoted, prod canary at weight 0 [skip ci]`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { values } = parseArgs({
      options: { digest: { type: 'string' }, promoted: { type: 'string' }, sha: { type: 'string' } },
      strict: true,
    });
    if (values.promoted !== 'true' && values.promoted !== 'false') throw new Error(`--promoted must be true or false, got "${values.promoted}"`);
    if (!values.sha || !/^[0-9a-f]{7,40}$/.test(values.sha)) throw new Error('--sha=<commit> is required');
    const promoted = values.promoted === 'true';
    for (const { env, edit } of recordEdits(values.digest ?? '', promoted)) {
      await setRelease(resolve(import.meta.dirname, `../../stacks/environments/${env}.ts`), edit);
    }
    console.log(recordTitle(values.sha, promoted));
  } catch (error) {
    console.error(`record-release: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
