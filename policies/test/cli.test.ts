/** The CLI end to end, as CI runs it: a real process, real files, exit codes and output formats. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli.js';
import { at, compliantJson, type Json } from '../fixtures/stacks.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeOut(name: string, f: { platform: Json; inference: Json }): string {
  const out = join(dir, name);
  for (const [stack, json] of [['platform-staging', f.platform], ['inference-staging', f.inference]] as const) {
    mkdirSync(join(out, 'stacks', stack), { recursive: true });
    writeFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), JSON.stringify(json));
  }
  return out;
}

/** In-process run of the same entry point (spawning costs ~1 s of tsx start-up per call on 2 cores). */
function policyInProcess(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A real process, as CI runs it. */
function policy(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'policies', 'cli.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const good = writeOut('good', compliantJson());
const bad = (() => {
  const f = compliantJson();
  const container = at(f.inference, 'resource', 'kubernetes_deployment_v1', 'stable', 'spec', 'template', 'spec', 'container', 0);
  (container['port'] as Json[]).push({ name: 'ssh', container_port: 22 });
  return writeOut('bad', f);
})();

describe('npm run policy', () => {
  it('exits 0 on compliant stacks and prints the table with a summary', () => {
    const r = policy(good);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^RULE\s+RESOURCE\s+VERDICT\s+DETAIL \/ FIX/);
    expect(r.stdout).toMatch(/2 stack\(s\): \d+ passed, 0 failed, 0 waived/);
  });

  it('exits 1 on a violation and names rule, resource, verdict and fix', () => {
    const r = policy(bad, '--failures-only');
    expect(r.code).toBe(1);
    const row = r.stdout.split('\n').find((l) => l.startsWith('network.service-ports-only'));
    expect(row).toMatch(/inference-staging\/kubernetes_deployment_v1\.stable \(container ports\)\s+FAIL\s+container ports 22 are not 8080\/9000 — fix: Remove other container ports/);
    expect(r.stdout).not.toContain('PASS');
  });

  it('--format json gives CI the verdicts; a single stack folder and a single file work too', () => {
    const r = policy(join(bad, 'stacks', 'inference-staging'), '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { summary: { fail: number; stacks: string[] }; results: { rule: string; outcome: string; refs: string[] }[] };
    expect(report.summary.stacks).toEqual(['inference-staging']);
    expect(report.results.filter((x) => x.outcome === 'fail').map((x) => x.rule)).toContain('network.service-ports-only');
    // Alone (without platform-staging) the model store's StorageClass is missing: the check says so.
    expect(report.results.filter((x) => x.outcome === 'fail').map((x) => x.rule)).toContain('storage.model-store-ssd');
    expect(policyInProcess(join(good, 'stacks', 'platform-staging', 'cdk.tf.json'), '--format=json').code).toBe(0);
  });

  it('waivers: --waivers applies a file; an expired waiver fails the run', () => {
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(waivers, 'waivers:\n  - rule: network.service-ports-only\n    resource: inference-staging/kubernetes_deployment_v1.stable\n    reason: debug sidecar port (OPS-7)\n    expires: 2999-01-01\n');
    const ok = policyInProcess(bad, '--waivers', waivers);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/WAIVED\s+container ports 22 are not 8080\/9000 — waived until 2999-01-01: debug sidecar port \(OPS-7\)/);
    writeFileSync(waivers, 'waivers:\n  - rule: network.service-ports-only\n    resource: inference-staging/kubernetes_deployment_v1.stable\n    reason: old\n    expires: 2000-01-01\n');
    const expired = policyInProcess(good, '--waivers', waivers, '--failures-only');
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/waiver\.expired\s+\(waivers\)\/inference-staging\/kubernetes_deployment_v1\.stable \(network\.service-ports-only\)\s+FAIL/);
  });

  it('exits 2 with a clear message on usage and input errors', () => {
    const unknown = policy(good, '--colour');
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, 'policy: unknown option "--colour"']);
    const missing = policyInProcess(join(dir, 'no-such-dir'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-dir: no such file or folder');
    const badFormat = policyInProcess(good, '--format', 'xml');
    expect([badFormat.code, badFormat.stderr.split('\n')[0]]).toEqual([2, 'policy: --format must be "table" or "json", got "xml"']);
    const malformed = join(dir, 'bad-waivers.yaml');
    writeFileSync(malformed, 'waivers:\n  - rule: pss.seccomp\n');
    const w = policyInProcess(good, '--waivers', malformed);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('bad-waivers.yaml: waiver 1: "resource" is required');
  });
});
