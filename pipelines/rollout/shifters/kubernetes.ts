/**
 * Cluster traffic shifting: patches the weights of the canary HTTPRoute (Gateway API) with kubectl.
 *
 * Why a patch and not "change canaryWeight in stacks/environments/<env>.ts and `cdktf deploy`": a rollback must
 * take seconds (a failing canary hurts clients every second it keeps its weight), and a Terraform plan/apply of the
 * inference stack takes minutes and needs the state lock. The environment data stays the source of truth for the
 * *resting* state (canaryWeight 0, stable image digest); after a promotion the pipeline opens a pull request that
 * records the new digest there, so the next `cdktf deploy` converges to what the rollout left (docs/pipelines.md).
 * Every patch carries a `test` on the resourceVersion, so a concurrent edit makes it fail instead of being lost.
 */
import { $ } from 'zx';
import { waitFor } from '../../lib/wait.js';
import type { TrafficShifter } from '../traffic-shifter.js';

export interface KubernetesShifterOptions {
  readonly namespace: string;
  /** HTTPRoute name (stacks/components/gateway). */
  readonly route: string;
  readonly stableService: string;
  readonly canaryService: string;
  readonly stableDeployment: string;
  readonly canaryDeployment: string;
  /** Container name inside both Deployments. */
  readonly container: string;
  /** kubectl context; default: the current one. */
  readonly context?: string;
}

interface BackendRef {
  readonly name: string;
  readonly weight?: number;
}
export interface HttpRoute {
  readonly metadata: { readonly resourceVersion?: string };
  readonly spec: { readonly rules: readonly { readonly matches?: readonly unknown[]; readonly backendRefs?: readonly BackendRef[] }[] };
}

export type JsonPatchOp = { readonly op: 'test' | 'replace'; readonly path: string; readonly value: unknown };

/**
 * JSON patch setting the split rule's weights (the rule that references both Services) to 100 − percent and
 * percent. The pinned rule (header match, canary only) is left alone. Throws when the route has no split rule.
 */
export function weightPatch(route: HttpRoute, stable: string, canary: string, percent: number): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  if (route.metadata.resourceVersion) {
    ops.push({ op: 'test', path: '/metadata/resourceVersion', value: route.metadata.resourceVersion });
  }
  route.spec.rules.forEach((rule, r) => {
    const refs = rule.backendRefs ?? [];
    if (!refs.some((b) => b.name === stable) || !refs.some((b) => b.name === canary)) return;
    refs.forEach((ref, i) => {
      if (ref.name === stable) ops.push({ op: 'replace', path: `/spec/rules/${r}/backendRefs/${i}/weight`, value: 100 - percent });
      if (ref.name === canary) ops.push({ op: 'replace', path: `/spec/rules/${r}/backendRefs/${i}/weight`, value: percent });
    });
  });
  if (!ops.some((op) => op.op === 'replace')) {
    throw new Error(`HTTPRoute has no rule sending traffic to both ${stable} and ${canary}`);
  }
  return ops;
}

/** Current canary weight of the split rule. */
export function canaryWeightOf(route: HttpRoute, stable: string, canary: string): number | undefined {
  const rule = route.spec.rules.find((r) => (r.backendRefs ?? []).some((b) => b.name === stable));
  return rule?.backendRefs?.find((b) => b.name === canary)?.weight;
}

export class KubernetesShifter implements TrafficShifter {
  readonly description: string;

  constructor(private readonly o: KubernetesShifterOptions) {
    this.description = `kubectl patch httproute/${o.route} -n ${o.namespace}`;
  }

  private kubectl(args: readonly string[]) {
    const context = this.o.context ? ['--context', this.o.context] : [];
    return $({ quiet: true })`kubectl ${context} -n ${this.o.namespace} ${args}`;
  }

  private async readRoute(): Promise<HttpRoute> {
    return JSON.parse((await this.kubectl(['get', 'httproute', this.o.route, '-o', 'json'])).stdout) as HttpRoute;
  }

  async setCanaryWeight(percent: number): Promise<void> {
    const patch = weightPatch(await this.readRoute(), this.o.stableService, this.o.canaryService, percent);
    await this.kubectl(['patch', 'httproute', this.o.route, '--type=json', '-p', JSON.stringify(patch)]);
  }

  async waitUntilReady(percent: number, timeoutMs: number): Promise<void> {
    if (percent > 0) {
      await this.kubectl(['rollout', 'status', `deployment/${this.o.canaryDeployment}`, `--timeout=${Math.ceil(timeoutMs / 1000)}s`]);
    }
    await waitFor(`httproute/${this.o.route} canary weight ${percent}`, async () =>
      canaryWeightOf(await this.readRoute(), this.o.stableService, this.o.canaryService) === percent, timeoutMs, 1000);
  }

  /** Rolls the stable Deployment to the canary's image (by digest), waits for it, then routes everything to stable. */
  async promote(): Promise<void> {
    const image = (
      await this.kubectl(['get', 'deployment', this.o.canaryDeployment, '-o', `jsonpath={.spec.template.spec.containers[?(@.name=="${this.o.container}")].image}`])
    ).stdout.trim();
    if (!image) throw new Error(`deployment/${this.o.canaryDeployment} has no container "${this.o.container}"`);
    await this.kubectl(['set', 'image', `deployment/${this.o.stableDeployment}`, `${this.o.container}=${image}`]);
    await this.kubectl(['rollout', 'status', `deployment/${this.o.stableDeployment}`, '--timeout=600s']);
    await this.setCanaryWeight(0);
  }
}
