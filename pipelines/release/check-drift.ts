/**
 * Does the environment data (stacks/environments/<env>.ts) still describe what the cluster runs? The rollout
 * driver changes the cluster directly (HTTPRoute weights, `kubectl set image` on promotion) and the release job
 * records the outcome afterwards in a pull request. Until that pull request is merged, a `cdktf deploy` from main
 * would roll stable back to the build before the promotion, or give a canary traffic again. Run this before any
 * deploy; the release job does.
 *
 *   npx tsx pipelines/release/check-drift.ts --env=prod [--context=KUBE_CONTEXT] [--track=stable|all]
 *
 * Exit 0: data and cluster agree (or nothing is deployed yet). Exit 1: they differ, each difference printed.
 * Exit 2: the check could not run (bad flags, no cluster access).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { $ } from 'zx';
import { serviceName } from '../../stacks/components/inference/index.js';
import { namespaces } from '../../stacks/components/namespaces/names.js';
import { inferenceContainerName } from '../../stacks/components/observability/alert-rules.js';
import { loadEnvironment } from '../../stacks/environments/index.js';
import { canaryWeightOf, type HttpRoute } from '../rollout/shifters/kubernetes.js';

/** What the data says, or what the cluster runs (`undefined` where nothing is deployed). */
export interface ReleaseState {
  readonly stableDigest?: string;
  readonly canaryDigest?: string;
  readonly canaryWeight?: number;
}

/** `stable`: only the stable track must agree (the release job replaces the canary at weight 0 right after). */
export type DriftScope = 'stable' | 'all';

/** The digest of an image reference pinned by digest (`repo@sha256:…`); undefined for a tag. */
export function imageDigest(image: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(image.trim())?.[1];
}

/** Differences between the data and the cluster, as sentences naming both values. Empty when they agree. */
export function releaseDrift(data: ReleaseState, live: ReleaseState, scope: DriftScope): string[] {
  const problems: string[] = [];
  const compare = (what: string, want: string | number | undefined, have: string | number | undefined) => {
    // Nothing deployed yet on that side: the first deploy creates it from the data.
    if (have === undefined || want === have) return;
    problems.push(`${what}: the cluster has ${have}, the data says ${want}`);
  };
  compare('stable image digest', data.stableDigest, live.stableDigest);
  if (scope === 'all') {
    compare('canary image digest', data.canaryDigest, live.canaryDigest);
    compare('canary weight', data.canaryWeight, live.canaryWeight);
  }
  return problems;
}

async function liveState(context: string | undefined): Promise<ReleaseState> {
  const kubectl = (args: readonly string[]) =>
    $({ quiet: true })`kubectl ${context ? ['--context', context] : []} -n ${namespaces.inference} ${args}`;
  const digestOf = async (track: 'stable' | 'canary') => {
    const jsonpath = `jsonpath={.spec.template.spec.containers[?(@.name=="${inferenceContainerName}")].image}`;
    const image = (await kubectl(['get', 'deployment', serviceName(track), '--ignore-not-found', '-o', jsonpath])).stdout.trim();
    if (!image) return undefined;
    const digest = imageDigest(image);
    if (!digest) throw new Error(`deployment/${serviceName(track)} runs "${image}", not an image by digest`);
    return digest;
  };
  // Before the first platform deploy the HTTPRoute kind does not exist yet: nothing is routed, nothing can drift.
  const routeJson = await kubectl(['get', 'httproute', 'inference', '--ignore-not-found', '-o', 'json']).then(
    (out) => out.stdout.trim(),
    (error: { stderr?: string }) => {
      if (/doesn't have a resource type/.test(error.stderr ?? '')) return '';
      throw error;
    },
  );
  const weight = routeJson ? canaryWeightOf(JSON.parse(routeJson) as HttpRoute, serviceName('stable'), serviceName('canary')) : undefined;
  const [stableDigest, canaryDigest] = [await digestOf('stable'), await digestOf('canary')];
  return {
    ...(stableDigest ? { stableDigest } : {}),
    ...(canaryDigest ? { canaryDigest } : {}),
    ...(weight !== undefined ? { canaryWeight: weight } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { values } = parseArgs({
      options: { env: { type: 'string' }, context: { type: 'string' }, track: { type: 'string', default: 'all' } },
      strict: true,
    });
    if (!values.env) throw new Error('--env=<name> is required, e.g. --env=prod');
    if (values.track !== 'stable' && values.track !== 'all') throw new Error(`--track must be stable or all, got "${values.track}"`);
    const env = loadEnvironment(values.env);
    const data = { stableDigest: env.inference.stable.imageDigest, canaryDigest: env.inference.canary.imageDigest, canaryWeight: env.canaryWeight };
    const problems = releaseDrift(data, await liveState(values.context ?? env.kubeContext), values.track);
    if (problems.length > 0) {
      console.error(`check-drift: stacks/environments/${env.name}.ts does not describe what ${env.name} runs:`);
      for (const p of problems) console.error(`  - ${p}`);
      console.error('Merge the pending "release record" pull request (or record the cluster with set-release.ts) before deploying.');
      process.exit(1);
    }
    console.log(`check-drift: ${env.name} runs what its data says (${values.track === 'stable' ? 'stable track' : 'both tracks and the weight'})`);
  } catch (error) {
    // kubectl's own words (zx's message appends a stack), else the error's message.
    const stderr = (error as { stderr?: unknown }).stderr;
    const reason = typeof stderr === 'string' && stderr.trim() ? `kubectl: ${stderr.trim()}` : error instanceof Error ? error.message : String(error);
    console.error(`check-drift: ${reason}`);
    process.exit(2);
  }
}
