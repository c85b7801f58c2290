import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRelease } from './set-release.js';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('set-release on the real environment files', () => {
  it('changes only the track digest and, when asked, the canary weight of prod.ts', async () => {
    const source = await readFile(resolve(import.meta.dirname, '../../stacks/environments/prod.ts'), 'utf8');
    // prod rests at weight 0; a hand-run first step sets 20.
    const out = applyRelease(source, { track: 'canary', digest, canaryWeight: 20 });
    expect(out).toContain(`canary: { imageDigest: '${digest}'`);
    expect(out).toMatch(/\bcanaryWeight: 20,/);
    const changed = out.split('\n').filter((line, i) => line !== source.split('\n')[i]);
    expect(changed).toHaveLength(2);
  });

  it('finds both tracks and the canary weight in every environment file', async () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const source = await readFile(resolve(import.meta.dirname, `../../stacks/environments/${env}.ts`), 'utf8');
      for (const track of ['stable', 'canary'] as const) {
        expect(applyRelease(source, { track, digest, canaryWeight: 0 }), `${env} ${track}`).toContain(`${track}: { imageDigest: '${digest}'`);
      }
    }
  });

  it('refuses a malformed digest, a bad weight, or a file without the entry', async () => {
    const source = await readFile(resolve(import.meta.dirname, '../../stacks/environments/staging.ts'), 'utf8');
    expect(() => applyRelease(source, { track: 'stable', digest: 'sha256:abc' })).toThrow(/digest must be sha256:<64 lowercase hex>/);
    expect(() => applyRelease(source, { track: 'stable', digest, canaryWeight: 101 })).toThrow(/canary weight must be an integer from 0 to 100/);
    expect(() => applyRelease('export const x = 1;', { track: 'stable', digest })).toThrow(/expected one "stable: \{ imageDigest/);
  });
});
