/**
 * What the policy check costs: synth of every environment with and without the PolicyAspect, and one CLI-style
 * check over the synthesized stacks. Prints figures; asserts nothing (timings belong here, not in tests).
 *
 *   npx tsx policies/bench/overhead.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'cdktf';
import { buildApp } from '../../stacks/app.js';
import { InferenceStack } from '../../stacks/app/inference-stack.js';
import { PlatformStack } from '../../stacks/app/platform-stack.js';
import { environmentNames, loadEnvironment } from '../../stacks/environments/index.js';
import { checkStacks, defaultWaivers } from '../check.js';
import { loadStacks } from '../engine/load.js';

const dir = mkdtempSync(join(tmpdir(), 'policy-bench-'));

/** buildApp without applyPolicies, for the baseline. */
function withoutPolicies(outdir: string): App {
  const app = new App({ outdir });
  for (const name of environmentNames) {
    const env = loadEnvironment(name);
    const platform = new PlatformStack(app, `platform-${env.name}`, env);
    new InferenceStack(app, `inference-${env.name}`, { platform });
  }
  return app;
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

try {
  const rounds = 3;
  const plain: number[] = [];
  const checked: number[] = [];
  for (let i = 0; i < rounds; i++) {
    plain.push(time(() => withoutPolicies(join(dir, `plain-${i}`)).synth()));
    checked.push(time(() => buildApp({ outdir: join(dir, `checked-${i}`) }).synth()));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const stacks = loadStacks(join(dir, 'checked-0'));
  const waivers = defaultWaivers();
  const runs = 20;
  let verdicts = 0;
  const check = time(() => {
    for (let i = 0; i < runs; i++) verdicts = checkStacks(stacks, { waivers }).results.length;
  }) / runs;
  const [p, c] = [median(plain), median(checked)];
  console.log(`synth, ${stacks.length} stacks (median of ${rounds}): ${p.toFixed(0)} ms without policies, ${c.toFixed(0)} ms with the aspect (+${(c - p).toFixed(0)} ms, ×${(c / p).toFixed(2)})`);
  console.log(`check over the synthesized JSON: ${check.toFixed(1)} ms per run, ${verdicts} verdicts`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
