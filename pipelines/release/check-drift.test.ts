import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { hasKubectl } from '../lib/kubectl.js';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../stacks/environments/index.js';
import { imageDigest, releaseDrift } from './check-drift.js';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;
const c = `sha256:${'c'.repeat(64)}`;

describe('release drift between the environment data and the cluster', () => {
  it('catches an unrecorded promotion: stable in the cluster is newer than the data', () => {
    const data = { stableDigest: a, canaryDigest: c, canaryWeight: 0 };
    const live = { stableDigest: b, canaryDigest: b, canaryWeight: 0 };
    expect(releaseDrift(data, live, 'stable')).toEqual([`stable image digest: the cluster has ${b}, the data says ${a}`]);
  });

  it('catches an unrecorded rollback when both tracks are checked: a deploy would give the canary traffic again', () => {
    const data = { stableDigest: a, canaryDigest: b, canaryWeight: 20 };
    const live = { stableDigest: a, canaryDigest: b, canaryWeight: 0 };
    expect(releaseDrift(data, live, 'all')).toEqual(['canary weight: the cluster has 0, the data says 20']);
    // The release job replaces the canary at weight 0 itself, so it checks only stable.
    expect(releaseDrift(data, live, 'stable')).toEqual([]);
  });

  it('passes when nothing is deployed yet, and when data and cluster agree', () => {
    const data = { stableDigest: a, canaryDigest: b, canaryWeight: 0 };
    expect(releaseDrift(data, {}, 'all')).toEqual([]);
    expect(releaseDrift(data, { ...data }, 'all')).toEqual([]);
  });

  it('reads the digest of an image pinned by digest, and nothing from a tag', () => {
    expect(imageDigest(`ghcr.io/org/inference@${a}`)).toBe(a);
    expect(imageDigest('ghcr.io/org/inference:1.2.3')).toBeUndefined();
  });

  it('compares against the real environment data shape (digests by sha256)', () => {
    const prod = loadEnvironment('prod');
    expect(imageDigest(`${prod.inference.imageRepository}@${prod.inference.stable.imageDigest}`)).toBe(prod.inference.stable.imageDigest);
  });

  it('refuses bad flags with exit 2 and a message naming the flag', async () => {
    const run = promisify(execFile);
    const script = resolve(import.meta.dirname, 'check-drift.ts');
    const failure = await run(process.execPath, ['--import', 'tsx', script, '--env=prod', '--track=canary']).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('--track must be stable or all, got "canary"');
  });
});

describe.skipIf(!hasKubectl)('check-drift under real kubectl without a reachable cluster', () => {
  it('exits 2 and says why instead of reporting "no drift"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-drift-'));
    try {
      // A kubeconfig naming a port nothing listens on: kubectl cannot connect.
      const kubeconfig = join(dir, 'config');
      await writeFile(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: nowhere',
        'clusters: [{ name: nowhere, cluster: { server: "http://127.0.0.1:9" } }]',
        'contexts: [{ name: nowhere, context: { cluster: nowhere, user: nobody } }]',
        'users: [{ name: nobody, user: {} }]',
      ].join('\n'));
      const script = resolve(import.meta.dirname, 'check-drift.ts');
      const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '--env=prod', '--context=nowhere'], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
      }).catch((e: { code: number; stderr: string }) => e);
      expect(failure).toMatchObject({ code: 2 });
      expect((failure as { stderr: string }).stderr).toMatch(/^check-drift: .*connection refused/ms);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
