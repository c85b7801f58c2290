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
  readonly core: DesignResult;
  readonly naive: DesignResult;
  readonly inProcess: ReadonlyArray<{ readonly batch: number; readonly rowsPerSecond: number; readonly msPerBatch: number; readonly rowsPerCpuSecond: number }>;
  readonly ratios: {
    readonly serviceOverNaive: number;
    readonly serviceOverInProcessLimit: number;
    readonly coreOverNaive: number;
    readonly coreOverInProcessLimit: number;
  };
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
  ].join('\n');
}
