/**
 * The GitHub workflows are code too: valid YAML, least-privilege permissions, actions pinned by commit SHA,
 * every npm script and repository file they call exists, and the production rollout cannot run twice at once.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentNames } from '../../stacks/environments/index.js';
import { prometheusService } from '../../stacks/components/observability/index.js';
import { namespaces } from '../../stacks/components/namespaces/names.js';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, '.github/workflows');
const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Step { readonly uses?: string; readonly run?: string; readonly with?: Record<string, unknown> }
interface Job {
  readonly uses?: string;
  readonly steps?: readonly Step[];
  readonly permissions?: Record<string, string> | string;
  readonly environment?: string;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly strategy?: { readonly matrix?: { readonly include?: readonly Record<string, string>[] } };
}
interface Workflow {
  readonly on: unknown;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean };
  readonly jobs: Record<string, Job>;
}

const workflows = Object.fromEntries(files.map((f) => [f, parse(readFileSync(join(dir, f), 'utf8')) as Workflow]));
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => [...(j.steps ?? [])]);
const runs = (w: Workflow): string[] => steps(w).flatMap((s) => (s.run ? [s.run] : []));

describe('GitLab CI', () => {
  const gitlab = parse(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')) as Record<string, { script?: string[]; image?: unknown }>;
  const commands = Object.values(gitlab).flatMap((job) => (typeof job === 'object' && job && Array.isArray(job.script) ? job.script : []));

  it('parses, and runs the same npm scripts and files as the GitHub checks', () => {
    expect(commands).toEqual(expect.arrayContaining(['npm run typecheck', 'npm test', 'npm run synth', 'k6 run loadtests/01-smoke.ts']));
    for (const c of commands) {
      for (const m of c.matchAll(/npm run (?:--silent )?([\w:-]+)/g)) expect(scripts[m[1] ?? ''], c).toBeDefined();
      for (const m of c.matchAll(/\b((?:scripts|loadtests|pipelines)\/[\w./-]+\.(?:ts|sh))\b/g)) expect(existsSync(join(root, m[1] ?? '')), c).toBe(true);
    }
  });

  it('pins its images by digest or exact version', () => {
    const images = Object.values(gitlab).flatMap((job) => {
      const image = typeof job === 'object' && job ? job.image : undefined;
      return typeof image === 'string' ? [image] : typeof image === 'object' && image ? [(image as { name: string }).name] : [];
    });
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toMatch(/@sha256:[0-9a-f]{64}$|:\d+\.\d+\.\d+$/);
  });
});

describe('GitHub workflows', () => {
  it('exist for pull requests and main, and parse as YAML with triggers and jobs', () => {
    expect(files).toEqual(expect.arrayContaining(['pull-request.yml', 'main.yml', 'checks.yml']));
    for (const [file, w] of Object.entries(workflows)) {
      expect(w.on, file).toBeTruthy();
      expect(Object.keys(w.jobs).length, file).toBeGreaterThan(0);
    }
  });

  it('declare read-only default permissions and widen them per job only, never write-all', () => {
    for (const [file, w] of Object.entries(workflows)) {
      expect(w.permissions, file).toEqual({ contents: 'read' });
      for (const [name, job] of Object.entries(w.jobs)) {
        expect(job.permissions, `${file} ${name}`).not.toBe('write-all');
        if (typeof job.permissions === 'object' && job.permissions['id-token'] === 'write') {
          // OIDC jobs assume a cloud role: they must use the credentials action, not stored keys.
          expect(job.steps?.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')), `${file} ${name}`).toBe(true);
        }
      }
    }
  });

  it('pin every third-party action to a full commit SHA; local reusable workflows exist', () => {
    for (const [file, w] of Object.entries(workflows)) {
      for (const s of steps(w)) {
        if (!s.uses) continue;
        expect(s.uses, file).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/);
      }
      for (const job of Object.values(w.jobs)) {
        if (job.uses) expect(existsSync(join(root, job.uses)), `${file} uses ${job.uses}`).toBe(true);
      }
    }
  });

  it('call only npm scripts that package.json defines', () => {
    const called = Object.values(workflows).flatMap((w) => runs(w).flatMap((r) => [...r.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1] ?? '')));
    expect(called).toEqual(expect.arrayContaining(['typecheck', 'synth', 'policy', 'rollout']));
    for (const name of called) expect(scripts[name], `npm run ${name}`).toBeDefined();
    expect(scripts['test']).toBe('vitest run');
  });

  it('reference only repository files that exist', () => {
    const pattern = /\b((?:scripts|loadtests|pipelines|services|stacks|policies)\/[\w./-]+\.(?:ts|sh|json|md))\b/g;
    const referenced = Object.values(workflows).flatMap((w) => [
      ...runs(w).flatMap((r) => [...r.matchAll(pattern)].map((m) => m[1] ?? '')),
      ...steps(w).flatMap((s) => (typeof s.with?.['file'] === 'string' ? [s.with['file']] : [])),
    ]);
    expect(referenced).toEqual(
      expect.arrayContaining(['scripts/setup-tools.sh', 'loadtests/01-smoke.ts', 'loadtests/02-load.ts', 'loadtests/05-generate-stream.ts']),
    );
    for (const path of referenced) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it('diff every cloud stack of staging and prod, which the app defines', () => {
    const matrix = workflows['pull-request.yml']?.jobs['diff']?.strategy?.matrix?.include ?? [];
    const stacks = matrix.map((m) => m['stack']);
    expect(stacks).toEqual(['platform-staging', 'inference-staging', 'platform-prod', 'inference-prod']);
    for (const m of matrix) expect(environmentNames).toContain(m['environment']);
  });

  it('never run two releases or rollouts at once, and gate production behind its protected environment', () => {
    const main = workflows['main.yml'];
    expect(main?.concurrency).toEqual({ group: 'release-main', 'cancel-in-progress': false });
    const rollout = main?.jobs['rollout-production'];
    expect(rollout?.environment).toBe('production');
    expect(rollout?.concurrency).toEqual({ group: 'rollout-production', 'cancel-in-progress': false });
    expect(rollout?.steps?.some((s) => s.run?.includes('npm run rollout -- --env=prod'))).toBe(true);
    const forward = rollout?.steps?.find((s) => s.run?.includes('port-forward'))?.run ?? '';
    expect(forward).toContain(`-n ${namespaces.monitoring} port-forward svc/${prometheusService.name} 9090:${prometheusService.port}`);
  });

  it('install with onnxruntime CUDA downloads skipped and run the k6 scripts only through the Grafana action', () => {
    for (const [file, w] of Object.entries(workflows)) {
      expect((w as unknown as { env?: Record<string, string> }).env?.['ONNXRUNTIME_NODE_INSTALL'], file).toBe('skip');
      for (const job of Object.values(w.jobs)) {
        if (job.steps?.some((s) => s.run?.includes('k6 run'))) {
          expect(job.steps.some((s) => s.uses?.startsWith('grafana/setup-k6-action@'))).toBe(true);
        }
      }
    }
  });
});
