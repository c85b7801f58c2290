/**
 * The canary gate through the Node load generator (and the stream generator for a generative model): same traffic
 * shape and checks as loadtests/04-canary-gate.ts.
 */
import { canaryPinHeader } from '../../../stacks/components/gateway/route-model.js';
import { slo } from '../../../policies/slo.js';
import { LoadGenerator, fetchModelMetadata } from './load-generator.js';
import { StreamGenerator, type StreamFigures } from './stream-generator.js';
import type { GateFigures, GateRunner, GateTarget, StreamGateFigures } from './types.js';

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
    const streams = this.target.generateModel
      ? new StreamGenerator({
          baseUrl: this.target.baseUrl,
          model: this.target.generateModel,
          streamsPerSecond: slo.generation.gateStreamsPerSecond,
          maxTokens: slo.generation.gateMaxTokens,
          headers,
        }).start()
      : undefined;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const [figures, streamFigures] = await Promise.all([load.stop(), streams?.stop()]);
    const n = figures.requests;
    return {
      tool: 'node',
      requests: n,
      errorRate: n > 0 ? figures.failed / n : undefined,
      p95Ms: figures.p95Ms,
      checksRate: n > 0 ? figures.checksPassed / n : undefined,
      failureSamples: [...figures.failureSamples, ...(streamFigures?.failureSamples ?? [])],
      ...(streamFigures ? { stream: streamGateFigures(streamFigures) } : {}),
    };
  }
}

function streamGateFigures(f: StreamFigures): StreamGateFigures {
  return {
    streams: f.streams,
    errorRate: f.streams > 0 ? f.failed / f.streams : undefined,
    ttftP95Ms: f.ttftP95Ms,
    itlP95Ms: f.itlP95Ms,
    checksRate: f.streams > 0 ? f.checksPassed / f.streams : undefined,
  };
}
