/**
 * Invariants of the container images (there is no Docker engine on these machines, so the Dockerfiles are parsed):
 * multi-stage, digest-pinned bases, Node 24, CUDA 12 + cuDNN 9 runtime for the GPU image, onnxruntime CUDA 12
 * install at build, non-root numeric user, no build tools or package installs in the final stage, healthcheck on
 * readiness, ports 8080 + 9000, and every COPY source present in the repository and let through the ignore file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(serviceDir, '..', '..');

interface Instruction {
  readonly op: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Instructions with line continuations joined and comments dropped; ARG defaults substituted in FROM. */
function parse(file: string): { stages: Stage[]; args: Map<string, string> } {
  const text = readFileSync(join(serviceDir, file), 'utf8');
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [op = '', ...rest] = line.split(/\s+/);
    const argsText = rest.join(' ');
    if (op.toUpperCase() === 'ARG' && stages.length === 0) {
      const [k, v] = argsText.split('=');
      if (k && v) args.set(k, v);
    } else if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(argsText);
      const image = (m?.[1] ?? '').replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '');
      stages.push({ image, name: m?.[2], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args: argsText });
    }
  }
  return { stages, args };
}

const of = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

function ignoreAllows(path: string): boolean {
  // Allow-list semantics of our ignore file: "*" excludes all, "!p" re-includes p (and what is below it).
  const rules = readFileSync(join(serviceDir, 'Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let allowed = true;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    const pattern = (negate ? rule.slice(1) : rule).replace(/\/$/, '');
    const matches = pattern === '*' || path === pattern || path.startsWith(`${pattern}/`) || (pattern.startsWith('**/') && path.includes(pattern.slice(3)));
    if (matches) allowed = negate;
  }
  return allowed;
}

/** Repository-relative files outside services/inference that the service's sources import (e.g. policies/slo.ts). */
function importsOutsideService(): string[] {
  const outside = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs)$/.test(entry.name)) {
        for (const m of readFileSync(path, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
          const target = resolve(dirname(path), m[1] as string).replace(/\.js$/, '.ts');
          if (relative(serviceDir, target).startsWith('..')) outside.add(relative(repoRoot, target));
        }
      }
    }
  };
  walk(join(serviceDir, 'src'));
  return [...outside].sort();
}

describe.each([
  ['Dockerfile', 'gpu'],
  ['Dockerfile.cpu', 'cpu'],
] as const)('%s', (file, flavour) => {
  const { stages } = parse(file);
  const final = stages.at(-1)!;

  it('is multi-stage with every base image pinned by digest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const stageNames = new Set(stages.map((s) => s.name));
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue; // FROM an earlier stage
      expect(stage.image).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
  });

  it('runs Node 24 LTS', () => {
    const nodeImages = stages.map((s) => s.image).filter((i) => i.startsWith('node:'));
    expect(nodeImages.length).toBeGreaterThan(0);
    for (const image of nodeImages) expect(image).toMatch(/^node:24\.\d+\.\d+-bookworm-slim@/);
  });

  it('installs onnxruntime-node with the right execution-provider libraries at build time', () => {
    const env = stages.flatMap((s) => of(s, 'ENV')).join(' ');
    expect(env).toContain(flavour === 'gpu' ? 'ONNXRUNTIME_NODE_INSTALL=cuda12' : 'ONNXRUNTIME_NODE_INSTALL=skip');
    expect(stages.flatMap((s) => of(s, 'RUN')).join(' ')).toMatch(/npm ci --omit=dev/);
  });

  it('final stage: non-root numeric user, nothing installed, no build tools, no npm', () => {
    const user = of(final, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const runs = of(final, 'RUN').join(' ');
    expect(runs).not.toMatch(/apt-get install|apt install|apk add|npm (ci|install)|build-essential|gcc|g\+\+|make|python3/);
    expect(of(final, 'ENTRYPOINT').join(' ')).toBe('["node", "--import", "tsx", "src/server.ts"]');
  });

  it('final stage: read-only-root friendly, listens on 8080 + 9000, JWT by default, health check on readiness', () => {
    const env = of(final, 'ENV').join(' ');
    expect(env).toMatch(/TMPDIR=\/tmp/);
    expect(env).toMatch(/AUTH_MODE=jwt/);
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    expect(of(final, 'VOLUME')).toEqual([]);
    expect(of(final, 'EXPOSE').join(' ').split(/\s+/).sort()).toEqual(['8080', '9000']);
    expect(of(final, 'HEALTHCHECK').join(' ')).toContain('/v2/health/ready');
  });

  it('copies only files that exist and that the ignore file lets through', () => {
    expect(existsSync(join(serviceDir, `${file}.dockerignore`))).toBe(true);
    for (const stage of stages) {
      for (const copy of of(stage, 'COPY')) {
        if (copy.includes('--from=')) continue;
        const parts = copy.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          expect(existsSync(join(repoRoot, source)), `${file}: COPY source ${source}`).toBe(true);
          expect(ignoreAllows(source.replace(/\/$/, '')), `${file}: ${source} excluded by the ignore file`).toBe(true);
        }
      }
    }
  });

  it('copies every file outside the service that its sources import (the image would not start without it)', () => {
    const outside = importsOutsideService();
    expect(outside).toContain('policies/slo.ts');
    const copied = stages.flatMap((stage) => of(stage, 'COPY').filter((c) => !c.includes('--from=')).flatMap((c) => c.split(/\s+/).slice(0, -1)));
    for (const file of outside) {
      expect(copied.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`)), `${file} is not copied`).toBe(true);
      expect(ignoreAllows(file), `${file} excluded by the ignore file`).toBe(true);
    }
  });

  if (flavour === 'gpu') {
    it('runs on an NVIDIA CUDA 12 + cuDNN runtime base (Ubuntu 24.04), with Node copied from the node image', () => {
      expect(final.image).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu24\.04@sha256:/);
      expect(of(final, 'COPY')).toContain('--from=node /usr/local/bin/node /usr/local/bin/node');
    });
  }
});
