/**
 * A constant-arrival-rate load generator in Node, for where k6 is not installed: the rollout gate's fallback and
 * the rehearsal's steady client traffic. Requests are built and judged by loadtests/lib/v2.ts, the same code the
 * k6 scripts use, so "a good answer" means the same thing to both tools.
 */
import {
  buildInferRequest,
  inferResponseProblems,
  type ModelMetadata,
} from '../../../loadtests/lib/v2.js';
import { ConstantArrivals } from './arrivals.js';
import { nearestRankP95 } from './percentile.js';

export interface LoadOptions {
  /** Gateway or service base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly model: string;
  /** Requests started per second, whatever the latency (open model, like k6's constant-arrival-rate). */
  readonly ratePerSecond: number;
  /** Extra headers, e.g. the canary pin or a bearer token. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Requests still open beyond this count are not started and count as failed: the target is not keeping up. */
  readonly maxInFlight?: number;
  /** Prefix of request ids, to tell gate and client traffic apart in logs. */
  readonly idPrefix?: string;
  /** First input seed; default random, so two generators (gate, clients) do not share result-cache entries. */
  readonly seedOffset?: number;
}

/** What a run saw. Failed = transport error, timeout or any status but 200 (k6's http_req_failed default). */
export interface LoadFigures {
  readonly requests: number;
  readonly failed: number;
  readonly checksPassed: number;
  /** 95th percentile of request latency in milliseconds (nearest rank), undefined without requests. */
  readonly p95Ms: number | undefined;
  /** First few distinct failure descriptions, for the report. */
  readonly failureSamples: readonly string[];
}

export async function fetchModelMetadata(baseUrl: string, model: string, headers: Readonly<Record<string, string>> = {}): Promise<ModelMetadata> {
  const res = await fetch(`${baseUrl}/v2/models/${model}`, { headers: { ...headers }, signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as unknown;
  if (res.status !== 200) throw new Error(`GET /v2/models/${model} answered ${res.status}: ${JSON.stringify(body)}`);
  return body as ModelMetadata;
}

/** A running load; `stop()` waits for open requests and returns the figures. */
export class LoadGenerator {
  private readonly latencies: number[] = [];
  private requests = 0;
  private failed = 0;
  private checksPassed = 0;
  private inFlight = 0;
  private readonly failures = new Set<string>();
  private readonly open = new Set<Promise<void>>();
  private readonly arrivals: ConstantArrivals;
  private readonly seedOffset: number;

  constructor(
    private readonly options: LoadOptions,
    private readonly metadata: ModelMetadata,
  ) {
    this.arrivals = new ConstantArrivals(options.ratePerSecond, (seq) => this.fire(seq));
    this.seedOffset = options.seedOffset ?? Math.floor(Math.random() * 2 ** 30);
  }

  /** Starts the arrivals (ConstantArrivals: a run of t seconds sends floor(t × rate) + 1 requests). */
  start(): this {
    this.arrivals.start();
    return this;
  }

  /** Figures so far, without stopping. */
  snapshot(): LoadFigures {
    return {
      requests: this.requests,
      failed: this.failed,
      checksPassed: this.checksPassed,
      p95Ms: nearestRankP95(this.latencies),
      failureSamples: [...this.failures].slice(0, 5),
    };
  }

  async stop(): Promise<LoadFigures> {
    this.arrivals.stop();
    await Promise.all([...this.open]);
    return this.snapshot();
  }

  private fire(seq: number): void {
    this.requests += 1;
    if (this.inFlight >= (this.options.maxInFlight ?? 200)) {
      this.fail(`more than ${this.options.maxInFlight ?? 200} requests in flight`);
      return;
    }
    const request = this.send(seq).finally(() => this.open.delete(request));
    this.open.add(request);
  }

  private async send(seq: number): Promise<void> {
    const id = `${this.options.idPrefix ?? 'load'}-${seq}`;
    const body = JSON.stringify(buildInferRequest(this.metadata, id, this.seedOffset + seq));
    const t0 = performance.now();
    this.inFlight += 1;
    try {
      const res = await fetch(`${this.options.baseUrl}/v2/models/${this.options.model}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      this.latencies.push(performance.now() - t0);
      if (res.status !== 200) {
        this.fail(`HTTP ${res.status} ${text.slice(0, 80)}`);
        return;
      }
      const problems = inferResponseProblems(JSON.parse(text) as unknown, id, this.metadata);
      if (problems.length === 0) this.checksPassed += 1;
      else this.failures.add(problems.join('; '));
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    } finally {
      this.inFlight -= 1;
    }
  }

  private fail(reason: string): void {
    this.failed += 1;
    this.failures.add(reason);
  }
}
