/**
 * The workflows supply what the stacks need. Synthesizes the real app (stacks/app.ts) into a scratch folder and
 * checks, for every `cdktf deploy` and `cdktf diff` step, that each Terraform variable without a default of each
 * stack it touches arrives as TF_VAR_<name>, that the kubeconfig comes from the cloud login, that deploys name each
 * stack's dependencies (cdktf-cli refuses otherwise), and that every secret and variable the workflows read is
 * documented in docs/pipelines.md.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../stacks/app.js';

const root = resolve(import.meta.dirname, '../..');
const workflowDir = join(root, '.github/workflows');

interface Step { readonly name?: string; readonly uses?: string; readonly run?: string; readonly env?: Record<string, string> }
interface Job {
  readonly env?: Record<string, string>;
  readonly steps?: readonly Step[];
  readonly strategy?: { readonly matrix?: { readonly include?: readonly Record<string, string>[] } };
}
interface Workflow { readonly env?: Record<string, string>; readonly jobs: Record<string, Job> }

interface StackInfo {
  readonly dependencies: readonly string[];
  /** Every declared variable, with whether it is sensitive and whether it has a default. */
  readonly variables: Record<string, { readonly sensitive: boolean; readonly required: boolean }>;
}

/** One `cdktf deploy|diff` invocation found in a workflow, with everything its environment provides. */
interface CdktfCall {
  readonly where: string;
  readonly verb: 'deploy' | 'diff';
  readonly stacks: readonly string[];
  readonly flags: readonly string[];
  /** TF_VAR_* name → the expression or value given (GITHUB_ENV writes from earlier steps as `$GITHUB_ENV`). */
  readonly tfVars: ReadonlyMap<string, string>;
  /** The earlier steps of the job. */
  readonly before: readonly Step[];
}

let outdir = '';
const stacks = new Map<string, StackInfo>();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'stack-inputs-'));
  buildApp({ outdir }).synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { dependencies: string[]; synthesizedStackPath: string }>;
  };
  for (const [name, s] of Object.entries(manifest.stacks)) {
    const tf = JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), 'utf8')) as {
      variable?: Record<string, { default?: unknown; sensitive?: boolean }>;
    };
    const variables = Object.fromEntries(
      Object.entries(tf.variable ?? {}).map(([v, d]) => [v, { sensitive: d.sensitive === true, required: !('default' in d) }]),
    );
    stacks.set(name, { dependencies: s.dependencies, variables });
  }
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const workflows = Object.fromEntries(
  readdirSync(workflowDir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => [f, { text: readFileSync(join(workflowDir, f), 'utf8'), parsed: parse(readFileSync(join(workflowDir, f), 'utf8')) as Workflow }]),
);

function cdktfCalls(): CdktfCall[] {
  const calls: CdktfCall[] = [];
  for (const [file, { parsed }] of Object.entries(workflows)) {
    for (const [jobName, job] of Object.entries(parsed.jobs)) {
      const steps = job.steps ?? [];
      steps.forEach((step, i) => {
        for (const m of (step.run ?? '').matchAll(/npx cdktf (deploy|diff) ([^\n|&;]+)/g)) {
          const args = [...(m[2] ?? '').matchAll(/"[^"]*"|\S+/g)].map((a) => a[0]);
          const named = args
            .filter((a) => !a.startsWith('--') && !/^\d*>/.test(a)) // flags and redirections are not stacks
            .map((a) => a.replace(/^"|"$/g, ''));
          // A matrix stack name stands for every stack of the matrix.
          const expanded = named.flatMap((a) =>
            a === '${{ matrix.stack }}' ? (job.strategy?.matrix?.include ?? []).map((row) => row['stack'] ?? '') : [a],
          );
          const tfVars = new Map<string, string>();
          for (const s of steps.slice(0, i)) {
            for (const w of (s.run ?? '').matchAll(/echo "(TF_VAR_\w+)=[^"]*" >> "\$GITHUB_ENV"/g)) tfVars.set(w[1] ?? '', '$GITHUB_ENV');
          }
          for (const env of [parsed.env, job.env, step.env]) {
            for (const [k, v] of Object.entries(env ?? {})) if (k.startsWith('TF_VAR_')) tfVars.set(k, String(v));
          }
          calls.push({
            where: `${file} ${jobName} "${step.name ?? step.run}"`,
            verb: m[1] as 'deploy' | 'diff',
            stacks: expanded,
            flags: args.filter((a) => a.startsWith('--')),
            tfVars,
            before: steps.slice(0, i),
          });
        }
      });
    }
  }
  return calls;
}

describe('workflow inputs of the synthesized stacks', () => {
  it('finds the deploys of staging and prod and the diffs of every cloud stack', () => {
    const calls = cdktfCalls();
    const deployed = calls.filter((c) => c.verb === 'deploy').flatMap((c) => c.stacks);
    expect(deployed).toEqual(['platform-staging', 'inference-staging', 'platform-prod', 'inference-prod']);
    expect(calls.filter((c) => c.verb === 'diff').flatMap((c) => c.stacks)).toEqual(deployed);
    for (const name of deployed) expect([...stacks.keys()]).toContain(name);
  });

  it('supply every variable without a default as TF_VAR_<name>, secrets from GitHub secrets on deploy', () => {
    const required = [...stacks.values()].flatMap((s) => Object.entries(s.variables).filter(([, v]) => v.required));
    // The staging inference stack needs a JWT public key (JWT without JWKS); prod has a JWKS URL and a default.
    expect(stacks.get('inference-staging')?.variables['jwt_public_key']?.required).toBe(true);
    expect(stacks.get('inference-prod')?.variables['jwt_public_key']?.required).toBe(false);
    expect(required.length).toBeGreaterThan(0);
    for (const call of cdktfCalls()) {
      for (const name of call.stacks) {
        const info = stacks.get(name);
        expect(info, `${call.where}: unknown stack ${name}`).toBeDefined();
        for (const [variable, v] of Object.entries(info?.variables ?? {})) {
          if (!v.required) continue;
          const given = call.tfVars.get(`TF_VAR_${variable}`);
          expect(given, `${call.where}: ${name} needs TF_VAR_${variable}`).toBeTruthy();
          // A deploy writes the value into the cluster: it must be the real secret, never a literal.
          if (call.verb === 'deploy' && v.sensitive) expect(given, `${call.where} TF_VAR_${variable}`).toMatch(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/);
        }
      }
    }
  });

  it('point the providers at a kubeconfig written by the cloud login, never a stored credential', () => {
    for (const call of cdktfCalls()) {
      expect(call.tfVars.get('TF_VAR_kubeconfig_path'), call.where).toBe('$GITHUB_ENV');
      expect(call.tfVars.get('TF_VAR_kube_context'), call.where).toBe('$GITHUB_ENV');
      const writer = call.before.find((s) => s.run?.includes('TF_VAR_kubeconfig_path='));
      expect(writer?.run, call.where).toMatch(/aws eks update-kubeconfig .*--kubeconfig "\$RUNNER_TEMP\/kubeconfig"/s);
      expect(call.before.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')), call.where).toBeGreaterThanOrEqual(0);
    }
    for (const [file, { text }] of Object.entries(workflows)) expect(text, file).not.toMatch(/secrets\.\w*KUBE/i);
  });

  it('deploy each stack together with the stacks it depends on (cdktf-cli refuses a missing dependency)', () => {
    for (const call of cdktfCalls().filter((c) => c.verb === 'deploy')) {
      expect(call.flags, call.where).not.toContain('--ignore-missing-stack-dependencies');
      for (const name of call.stacks) {
        for (const dep of stacks.get(name)?.dependencies ?? []) expect(call.stacks, `${call.where}: ${name} needs ${dep}`).toContain(dep);
      }
    }
  });

  it('document every secret and variable the workflows read in docs/pipelines.md', () => {
    const docs = readFileSync(join(root, 'docs/pipelines.md'), 'utf8');
    const documented = new Set([...docs.matchAll(/^\| `([A-Z0-9_]+)` \| (?:secret|variable) \|/gm)].map((m) => m[1]));
    const used = new Set(
      Object.values(workflows).flatMap(({ text }) => [...text.matchAll(/\b(?:secrets|vars)\.([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? '')),
    );
    used.delete('GITHUB_TOKEN'); // provided by GitHub
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(documented, `${name} is read by a workflow but not in docs/pipelines.md`).toContain(name);
  });
});
