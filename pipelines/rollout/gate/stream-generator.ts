/**
 * Streaming completions at a constant arrival rate, for the canary gate of a generative model where k6 is not
 * installed. Unlike k6, Node reads the stream as it arrives, so time to first token is when the first event with
 * text comes in and inter-token latency is measured between events. Streams are built and judged by
 * loadtests/lib/completions.ts, the same code the k6 scripts use.
 */
import { buildCompletionRequest, readCompletionStream, sseData } from '../../../loadtests/lib/completions.js';
import { ConstantArrivals } from './arrivals.js';
import { nearestRankP95 } from './percentile.js';

function carriesText(data: string): boolean {
  if (data === '[DONE]') return false;
  try {
    const text = (JSON.parse(data) as { choices?: { text?: unknown }[] }).choices?.[0]?.text;
    return typeof text === 'string' && text.length > 0;
  } catch {
    return false;
  }
}

export interface StreamLoadOptions {
  readonly baseUrl: string;
  /** Generative model served under /v1. */
  readonly model: string;
  /** Streams started per second. */
  readonly streamsPerSecond: number;
  /** max_tokens of each stream. */
  readonly maxTokens: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Streams still open beyond this count are not started and count as failed. */
  readonly maxInFlight?: number;
}

export interface StreamFigures {
  readonly streams: number;
  /** Transport errors, timeouts and non-200 answers. */
  readonly failed: number;
  /** Streams whose content passed the checks (finish reason, usage, [DONE]). */
  readonly checksPassed: number;
  /** Nearest-rank p95 of time to first token in ms over good streams, undefined without any. */
  readonly ttftP95Ms: number | undefined;
  /**
   * Nearest-rank p95 over streams of each stream's mean inter-token latency in ms: (last token's arrival − first
   * token's arrival) / (completion tokens − 1), the figure k6's script computes from its timings. Per-event gaps
   * would mostly read 0: events written in one step or one TCP segment arrive together.
   */
  readonly itlP95Ms: number | undefined;
  readonly failureSamples: readonly string[];
}

export class StreamGenerator {
  private readonly ttfts: number[] = [];
  private readonly itls: number[] = [];
  private readonly failures = new Set<string>();
  private readonly open = new Set<Promise<void>>();
  private streams = 0;
  private failed = 0;
  private checksPassed = 0;
  private readonly arrivals: ConstantArrivals;

  constructor(private readonly options: StreamLoadOptions) {
    if (!(Number.isInteger(options.maxTokens) && options.maxTokens > 0)) throw new Error(`maxTokens must be a positive integer, got ${options.maxTokens}`);
    this.arrivals = new ConstantArrivals(options.streamsPerSecond, (seq) => this.fire(seq), 'streamsPerSecond');
  }

  /** Starts the streams at the constant arrival rate (ConstantArrivals). */
  start(): this {
    this.arrivals.start();
    return this;
  }

  async stop(): Promise<StreamFigures> {
    this.arrivals.stop();
    await Promise.all([...this.open]);
    return {
      streams: this.streams,
      failed: this.failed,
      checksPassed: this.checksPassed,
      ttftP95Ms: nearestRankP95(this.ttfts),
      itlP95Ms: nearestRankP95(this.itls),
      failureSamples: [...this.failures].slice(0, 5),
    };
  }

  private fire(seq: number): void {
    this.streams += 1;
    const limit = this.options.maxInFlight ?? 100;
    if (this.open.size >= limit) {
      this.fail(`more than ${limit} streams in flight`);
      return;
    }
    const stream = this.send(seq).finally(() => this.open.delete(stream));
    this.open.add(stream);
  }

  private async send(seq: number): Promise<void> {
    const request = buildCompletionRequest(this.options.model, seq, this.options.maxTokens);
    const t0 = performance.now();
    try {
      const res = await fetch(`${this.options.baseUrl}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(60_000),
      });
      if (res.status !== 200 || !res.body) {
        this.fail(`HTTP ${res.status} ${(await res.text()).slice(0, 80)}`);
        return;
      }
      const arrivals: number[] = [];
      let body = '';
      let pending = '';
      const decoder = new TextDecoder();
      for await (const piece of res.body) {
        const text = decoder.decode(piece, { stream: true });
        body += text;
        pending += text;
        // Each complete event that carries text marks a token's arrival; events that came in one piece arrived together.
        const end = pending.lastIndexOf('\n\n');
        if (end < 0) continue;
        const now = performance.now();
        for (const data of sseData(pending.slice(0, end + 2))) if (carriesText(data)) arrivals.push(now);
        pending = pending.slice(end + 2);
      }
      const reading = readCompletionStream(body, request);
      if (reading.problems.length > 0) {
        this.failures.add(reading.problems.join('; '));
        return;
      }
      this.checksPassed += 1;
      if (arrivals[0] !== undefined) this.ttfts.push(arrivals[0] - t0);
      const first = arrivals[0];
      const last = arrivals[arrivals.length - 1];
      const tokens = reading.completionTokens ?? 0;
      if (first !== undefined && last !== undefined && tokens > 1) this.itls.push((last - first) / (tokens - 1));
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private fail(reason: string): void {
    this.failed += 1;
    this.failures.add(reason);
  }
}
