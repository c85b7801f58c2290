/** Figures and the Markdown report of `npm run bench:generate` (bench/generate.ts). */

/** One request as the client saw it: submit time and the arrival time of each generated token. */
export interface RequestTiming {
  readonly submitted: number;
  readonly arrivals: readonly number[];
}

export interface DesignFigures {
  readonly name: string;
  readonly streams: number;
  readonly requests: number;
  readonly tokens: number;
  readonly seconds: number;
  /** Generated tokens per wall-clock second, all streams together. */
  readonly tokensPerSecond: number;
  /** Time to first token: submit → first token. */
  readonly ttftP50Ms: number;
  readonly ttftP99Ms: number;
  /** Inter-token latency: gaps between consecutive tokens of one request (tokens delivered together count 0). */
  readonly itlP50Ms: number;
  readonly itlP99Ms: number;
  /** Process CPU seconds (all threads) the phase used; the machine is shared, so wall-clock figures vary with load. */
  readonly cpuSeconds: number;
  /** Tokens per second the design would reach with the machine to itself: tokens per CPU-second × cores it can use. */
  readonly projectedTokensPerSecond: number;
}

export interface GenerateBenchReport {
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly loadAverageAtStart: readonly number[];
    readonly loadAverageAtEnd: readonly number[];
  };
  readonly settings: Readonly<Record<string, string | number>>;
  readonly engine: readonly DesignFigures[];
  readonly naive: DesignFigures;
  readonly transformersJs: DesignFigures | { readonly skipped: string };
  readonly targets: {
    /** Issue 9: ≥ 4. */
    readonly throughputAt32OverNaive: number;
    /** Issue 9: ≤ 3 (ITL p99 at 32 streams over ITL p99 of one stream). */
    readonly itlP99At32OverSingleStream: number;
    /** The same two from CPU time (projected tokens/s) and from medians, which the machine's load disturbs less. */
    readonly projectedThroughputAt32OverNaive: number;
    readonly itlP50At32OverSingleStream: number;
  };
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * Figures of one phase. `usableCores`: how many cores the design can keep busy (the engine: its worker threads;
 * one request at a time: one), for the projection from CPU time.
 */
export function summarize(name: string, streams: number, timings: readonly RequestTiming[], elapsedMs: number, cpuSeconds: number, usableCores: number): DesignFigures {
  const ttft = timings.map((t) => (t.arrivals[0] ?? t.submitted) - t.submitted);
  const itl = timings.flatMap((t) => t.arrivals.slice(1).map((at, i) => at - (t.arrivals[i] as number)));
  const tokens = timings.reduce((sum, t) => sum + t.arrivals.length, 0);
  return {
    name,
    streams,
    requests: timings.length,
    tokens,
    seconds: elapsedMs / 1000,
    tokensPerSecond: tokens / (elapsedMs / 1000),
    ttftP50Ms: percentile(ttft, 50),
    ttftP99Ms: percentile(ttft, 99),
    itlP50Ms: percentile(itl, 50),
    itlP99Ms: percentile(itl, 99),
    cpuSeconds,
    projectedTokensPerSecond: (tokens / cpuSeconds) * usableCores,
  };
}

const f = (n: number, digits = 1): string => n.toFixed(digits);

export function renderGenerateMarkdown(r: GenerateBenchReport): string {
  const row = (d: DesignFigures): string =>
    `| ${d.name} | ${d.streams} | ${d.requests} | ${f(d.tokensPerSecond, 0)} | ${f(d.tokensPerSecond / r.naive.tokensPerSecond, 2)}× | ${f(d.projectedTokensPerSecond, 0)} | ${f(d.ttftP50Ms)} | ${f(d.ttftP99Ms)} | ${f(d.itlP50Ms, 2)} | ${f(d.itlP99Ms, 2)} |`;
  const tjs = r.transformersJs;
  const { throughputAt32OverNaive: speedup, itlP99At32OverSingleStream: itl } = r.targets;
  const verdict = (ok: boolean): string => (ok ? '**pass**' : '**FAIL**');
  return [
    `# Generation benchmark ${r.date}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; load average (1/5/15 min) ${r.machine.loadAverageAtStart.join(' / ')} at start, ${r.machine.loadAverageAtEnd.join(' / ')} at end.`,
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
    '',
    '| design | streams | requests | tokens/s | vs naive | tokens/s with the machine to itself (from CPU time) | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.engine.map(row),
    row(r.naive),
    'skipped' in tjs ? `| transformers.js pipeline | – | – | – | – | – | – | – | – | – |` : row(tjs),
    '',
    'skipped' in tjs ? `transformers.js: ${tjs.skipped}` : `transformers.js pipeline / naive: ${f(tjs.tokensPerSecond / r.naive.tokensPerSecond, 2)}×; engine at 1 stream / transformers.js: ${f((r.engine[0]?.tokensPerSecond ?? 0) / tjs.tokensPerSecond, 2)}×.`,
    '',
    `Targets (issue 9): at 32 streams ≥ 4× the naive aggregate tokens/s: **${f(speedup, 2)}×** ${verdict(speedup >= 4)}; ITL p99 at 32 streams within 3× the single-stream ITL p99: **${f(itl, 2)}×** ${verdict(itl <= 3)}.`,
    `Less disturbed by the machine's load: from CPU time, 32 streams / naive **${f(r.targets.projectedThroughputAt32OverNaive, 2)}×** ${verdict(r.targets.projectedThroughputAt32OverNaive >= 4)}; ITL p50 at 32 streams / single-stream ITL p50 **${f(r.targets.itlP50At32OverSingleStream, 2)}×** ${verdict(r.targets.itlP50At32OverSingleStream <= 3)}.`,
    '',
  ].join('\n');
}
