/** The canary gate through the Node load generator: same traffic shape and checks as loadtests/04-canary-gate.ts. */
import { canaryPinHeader } from '../../../stacks/components/gateway/route-model.js';
import { LoadGenerator, fetchModelMetadata } from './load-generator.js';
import type { GateFigures, GateRunner, GateTarget } from './types.js';

export class NodeGate implements GateRunner {
  readonly tool = 'node' as const;

  constructor(private readonly target: GateTarget) {}

  async run(seconds: number): Promise<GateFigures> {
    const headers: Record<string, string> = { [canaryPinHeader.name]: canaryPinHeader.value };
    if (this.target.token) headers['authorization'] = `Bearer ${this.target.token}`;
    const metadata = await fetchModelMetadata(this.target.baseUrl, this.target.model, headers);
    const load = new LoadGenerator(
      { baseUrl: this.target.baseUrl, model: this.target.model, ratePerSecond: this.target.ratePerSecond, headers, idPrefix: 'gate' },
      metadata,
    ).start();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const figures = await load.stop();
    const n = figures.requests;
    return {
      tool: 'node',
      requests: n,
      errorRate: n > 0 ? figures.failed / n : undefined,
      p95Ms: figures.p95Ms,
      checksRate: n > 0 ? figures.checksPassed / n : undefined,
      failureSamples: figures.failureSamples,
    };
  }
}
