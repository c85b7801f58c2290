/**
 * `cdktf synth` itself (cdktf-cli 0.21, which continues past error annotations, prints them and then fails) stops
 * on a policy violation. One real CLI run, ~7 s on a 2-core machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'policy-cdktf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cdktf synth with the PolicyAspect', () => {
  it('fails with exit code 1 and prints the rule id when the environment sets the canary to 50 %', () => {
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    const app = `${tsx} ${join(repoRoot, 'policies', 'fixtures', 'canary-50-app.ts')}`;
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app, terraformProviders: [], terraformModules: [], sendCrashReports: 'false' }));
    const r = spawnSync(join(repoRoot, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', join(dir, 'out')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true' },
      timeout: 90_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    const excerpt = output.replace(/\u001b\[[0-9;]*m/g, '').slice(-3000);
    expect(r.status, excerpt).toBe(1);
    expect(output, excerpt).toContain('[policy rollout.canary-first-step]');
    expect(output).toContain('canary gets 50 % of traffic (first step 20 %)');
    // The CLI lets the app write every stack (to print all annotations) and then fails the command, so
    // `cdktf deploy` / `cdktf diff`, which synthesize first, stop here as well.
    expect(existsSync(join(dir, 'out', 'manifest.json'))).toBe(true);
  }, 90_000);
});
