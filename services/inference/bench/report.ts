import type { LoadResult } from './load-generator.js';

/** One HTTP design under load, with CPU time per request when the platform can count it. */
export interface DesignResult extends LoadResult {
  /** Slowest GET /v2/health/ready answer during the load (event-loop blocking shows here). */
  readonly slowestHealthMs: number;
  /** Microseconds of CPU per request: server main thread, other server threads, load generator. */
  readonly cpuPerRequest?: { readonly mainThreadUs: number; readonly otherThreadsUs: number; readonly loadGeneratorUs: number };
  /** Mean rows per executed batch (service only, from its metrics). */
  readonly meanBatchSize?: number;
}

export interface BenchReport {
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
  readonly service: DesignResult;
  /** The service as deployed, driven with the binary tensor data extension (inputs and output as raw bytes). */
  readonly binary?: DesignResult;
  readonly core: DesignResult;
  readonly naive: DesignResult;
  readonly inProcess: ReadonlyArray<{ readonly batch: number; readonly rowsPerSecond: number; readonly msPerBatch: number; readonly rowsPerCpuSecond: number }>;
  readonly ratios: {
    readonly serviceOverNaive: number;
    readonly serviceOverInProcessLimit: number;
    readonly coreOverNaive: number;
    readonly coreOverInProcessLimit: number;
    /** Every design against the limit and the naive design, in wall-clock req/s and in items per server CPU-second. */
    readonly table?: readonly RatioRow[];
  };
}

/** One design's ratios, each against the in-process limit and the naive server measured in the same run. */
export interface RatioRow {
  readonly design: string;
  readonly requestsPerSecond: number;
  /** Requests per CPU-second of all the server's threads (the load generator excluded). */
  readonly itemsPerServerCpuSecond?: number;
  /** req/s ÷ the limit's best rows/s (one session on every core). */
  readonly wallOverLimit: number;
  /** Items per server CPU-second ÷ the limit's best rows per CPU-second (single-thread session). */
  readonly cpuOverLimit?: number;
  readonly wallOverNaive: number;
  readonly cpuOverNaive?: number;
  readonly p99Ms: number;
}

/** Requests per CPU-second of the server's threads (main + others; the load generator's share excluded). */
export function itemsPerServerCpuSecond(d: DesignResult): number | undefined {
  const c = d.cpuPerRequest;
  return c && 1e6 / (c.mainThreadUs + c.otherThreadsUs);
}

export function ratioTable(r: Pick<BenchReport, 'service' | 'binary' | 'core' | 'naive' | 'inProcess'>): RatioRow[] {
  const limitWall = Math.max(...r.inProcess.map((p) => p.rowsPerSecond));
  const limitCpu = Math.max(...r.inProcess.map((p) => p.rowsPerCpuSecond));
  const naiveCpu = itemsPerServerCpuSecond(r.naive);
  const designs: Array<[string, DesignResult | undefined]> = [
    ['service as deployed, JSON', r.service],
    ['service as deployed, binary tensors', r.binary],
    ['service core, JSON', r.core],
    ['naive, JSON', r.naive],
  ];
  return designs.flatMap(([design, d]) => {
    if (d === undefined) return [];
    const cpu = itemsPerServerCpuSecond(d);
    return [{
      design,
      requestsPerSecond: d.requestsPerSecond,
      ...(cpu !== undefined && { itemsPerServerCpuSecond: cpu, cpuOverLimit: cpu / limitCpu }),
      ...(cpu !== undefined && naiveCpu !== undefined && { cpuOverNaive: cpu / naiveCpu }),
      wallOverLimit: d.requestsPerSecond / limitWall,
      wallOverNaive: d.requestsPerSecond / r.naive.requestsPerSecond,
      p99Ms: d.p99Ms,
    }];
  });
}

const f = (n: number, digits = 1): string => n.toFixed(digits);

/** Requests per second the design would reach with every core to itself: cores ÷ CPU time per request. */
export function projectedRps(d: DesignResult, cores: number): number | undefined {
  const c = d.cpuPerRequest;
  return c && (cores * 1e6) / (c.mainThreadUs + c.otherThreadsUs + c.loadGeneratorUs);
}

/** The Markdown report printed at the end of a run and written next to the JSON. */
export function renderMarkdown(r: BenchReport): string {
  const best = r.inProcess.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const cpu = (d: DesignResult): string =>
    d.cpuPerRequest ? `${f(d.cpuPerRequest.mainThreadUs, 0)} / ${f(d.cpuPerRequest.otherThreadsUs, 0)} / ${f(d.cpuPerRequest.loadGeneratorUs, 0)}` : '–';
  const projected = (d: DesignResult): string => {
    const p = projectedRps(d, r.machine.cpus);
    return p === undefined ? '–' : f(p, 0);
  };
  const row = (name: string, d: DesignResult): string =>
    `| ${name} | ${f(d.requestsPerSecond, 0)} | ${f(d.p50Ms)} | ${f(d.p99Ms)} | ${d.requests} | ${d.errors} | ${f(d.slowestHealthMs)} | ${cpu(d)} | ${projected(d)} |`;
  const ps = projectedRps(r.service, r.machine.cpus);
  const pc = projectedRps(r.core, r.machine.cpus);
  const pn = projectedRps(r.naive, r.machine.cpus);
  const limitCpu = Math.max(...r.inProcess.map((p) => p.rowsPerCpuSecond)) * r.machine.cpus;
  return [
    `# Benchmark ${r.date}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; load average (1/5/15 min) ${r.machine.loadAverageAtStart.join(' / ')} at start, ${r.machine.loadAverageAtEnd.join(' / ')} at end.`,
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
    '',
    '| design | req/s | p50 ms | p99 ms | requests | errors | slowest health check ms | CPU µs/request (main / other threads / load generator) | req/s with the machine to itself |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('service as deployed (dynamic batching, worker threads, production layer)', r.service),
    ...(r.binary ? [row('service as deployed, binary tensor data extension (inputs and output as raw bytes)', r.binary)] : []),
    row('service core (the same without the production layer)', r.core),
    row('naive (one session.run per request on the event loop)', r.naive),
    `| in-process ORT limit (batch ${best.batch}, no HTTP) | ${f(best.rowsPerSecond, 0)} | – | – | – | – | – | – | – |`,
    '',
    r.service.meanBatchSize !== undefined ? `Service mean batch size: ${f(r.service.meanBatchSize)} rows.` : '',
    '',
    `In-process batch sweep, rows/s with every core: ${r.inProcess.map((p) => `${p.batch}: ${f(p.rowsPerSecond, 0)}`).join(', ')}; rows per CPU-second, one thread: ${r.inProcess.map((p) => `${p.batch}: ${f(p.rowsPerCpuSecond, 0)}`).join(', ')}.`,
    '',
    `Measured: service / naive = **${f(r.ratios.serviceOverNaive, 2)}×**, core / naive = **${f(r.ratios.coreOverNaive, 2)}×** (target ≥ 2×); service / in-process limit = **${f(r.ratios.serviceOverInProcessLimit, 2)}×**, core / limit = **${f(r.ratios.coreOverInProcessLimit, 2)}×** (target ≥ 0.6×); p99 service **${f(r.service.p99Ms)} ms**, core **${f(r.core.p99Ms)} ms** (target < 50 ms).`,
    ps !== undefined && pc !== undefined && pn !== undefined
      ? `From CPU time (what the machine allows with nothing else running): service ${f(ps, 0)}, core ${f(pc, 0)}, naive ${f(pn, 0)} req/s; in-process limit ${f(limitCpu, 0)} rows/s (${r.machine.cpus} cores × best single-thread rows per CPU-second). Service / naive **${f(ps / pn, 2)}×**, core / naive **${f(pc / pn, 2)}×**; service / limit **${f(ps / limitCpu, 2)}×**, core / limit **${f(pc / limitCpu, 2)}×**.`
      : '',
    '',
    `Every design against the in-process limit of this run (${f(Math.max(...r.inProcess.map((p) => p.rowsPerSecond)), 0)} rows/s on every core; ${f(Math.max(...r.inProcess.map((p) => p.rowsPerCpuSecond)), 0)} rows per CPU-second, one thread) and the naive server; "per CPU-s" counts all the server's threads, the load generator excluded. Targets: binary ≥ 0.6× the limit per CPU-s, ≥ 2× naive per CPU-s, p99 < 50 ms.`,
    '',
    '| design | req/s | items per server CPU-s | ÷ limit (req/s) | ÷ limit (per CPU-s) | ÷ naive (req/s) | ÷ naive (per CPU-s) | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...ratioTable(r).map((t) =>
      `| ${t.design} | ${f(t.requestsPerSecond, 0)} | ${t.itemsPerServerCpuSecond === undefined ? '–' : f(t.itemsPerServerCpuSecond, 0)} | ${f(t.wallOverLimit, 2)}× | ${t.cpuOverLimit === undefined ? '–' : `${f(t.cpuOverLimit, 2)}×`} | ${f(t.wallOverNaive, 2)}× | ${t.cpuOverNaive === undefined ? '–' : `${f(t.cpuOverNaive, 2)}×`} | ${f(t.p99Ms)} |`,
    ),
    '',
  ].join('\n');
}
