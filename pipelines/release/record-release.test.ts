import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordEdits, recordTitle } from './record-release.js';
import { applyRelease } from './set-release.js';

const digest = `sha256:${'cd'.repeat(32)}`;
const envFile = (env: string) => readFile(resolve(import.meta.dirname, `../../stacks/environments/${env}.ts`), 'utf8');

/** The environment files after the record, and what they say. */
async function recorded(promoted: boolean) {
  const files = { staging: await envFile('staging'), prod: await envFile('prod') };
  const before = { ...files };
  for (const { env, edit } of recordEdits(digest, promoted)) files[env] = applyRelease(files[env], edit);
  const read = (source: string) => ({
    stable: /\bstable: \{ imageDigest: '(sha256:[0-9a-f]{64})'/.exec(source)?.[1],
    canary: /\bcanary: \{ imageDigest: '(sha256:[0-9a-f]{64})'/.exec(source)?.[1],
    weight: Number(/\bcanaryWeight: (\d+),/.exec(source)?.[1]),
  });
  return { before: { staging: read(before.staging), prod: read(before.prod) }, after: { staging: read(files.staging), prod: read(files.prod) } };
}

describe('release record', () => {
  it('after a promotion: prod stable and canary are the new build, no canary traffic on the next deploy', async () => {
    const { after } = await recorded(true);
    expect(after.prod).toEqual({ stable: digest, canary: digest, weight: 0 });
    expect(after.staging).toMatchObject({ stable: digest, weight: 0 });
  });

  it('after a rollback: prod stable unchanged, the failed canary recorded at weight 0 (a deploy cannot revive it)', async () => {
    const { before, after } = await recorded(false);
    expect(after.prod).toEqual({ stable: before.prod.stable, canary: digest, weight: 0 });
    expect(after.staging).toMatchObject({ stable: digest, weight: 0 });
  });

  it('titles the pull request by outcome, with [skip ci] so merging it starts no release', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(recordTitle(sha, true)).toBe('release record: promote 0123456789ab to prod stable [skip ci]');
    expect(recordTitle(sha, false)).toBe('release record: 0123456789ab not promoted, prod canary at weight 0 [skip ci]');
  });
});
