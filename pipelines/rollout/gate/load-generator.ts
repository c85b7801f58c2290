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
  private timer: NodeJS.Timeout | undefined;
  private readonly seedOffset: number;
  /** Date.now() at start(), and how many arrivals have been started since. */
  private started = 0;
  private sent = 0;

  constructor(
    private readonly options: LoadOptions,
    private readonly metadata: ModelMetadata,
  ) {
    if (!(options.ratePerSecond > 0)) throw new Error(`ratePerSecond must be positive, got ${options.ratePerSecond}`);
    this.seedOffset = options.seedOffset ?? Math.floor(Math.random() * 2 ** 30);
  }

  start(): this {
    this.started = Date.now();
    this.sent = 0;
    this.fireDue();
    this.timer = setInterval(() => this.fireDue(), Math.max(1, Math.floor(1000 / this.options.ratePerSecond)));
    return this;
  }

  /**
   * Starts every arrival due by now: arrival n is due at n / rate seconds after start. Called on each tick and once
   * more by stop(), so ticks the event loop ran late are caught up and a run of t seconds sends floor(t × rate) + 1
   * requests, however late the last tick came.
   */
  private fireDue(): void {
    const due = Math.floor(((Date.now() - this.started) * this.options.ratePerSecond) / 1000) + 1;
    for (; this.sent < due; this.sent += 1) this.fire(this.sent);
  }

  /** Figures so far, without stopping. */
  snapshot(): LoadFigures {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const rank = Math.ceil(sorted.length * 0.95) - 1;
    return {
      requests: this.requests,
      failed: this.failed,
      checksPassed: this.checksPassed,
      p95Ms: sorted.length > 0 ? sorted[Math.max(0, rank)] : undefined,
      failureSamples: [...this.failures].slice(0, 5),
    };
  }

  async stop(): Promise<LoadFigures> {
    if (this.timer) {
      clearInterval(this.timer);
      this.fireDue();
    }
    this.timer = undefined;
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
