import type { LoadResult } from './load-generator.js';

export interface BenchReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly loadAverageAtStart: readonly number[]; readonly loadAverageAtEnd: readonly number[] };
  readonly settings: Readonly<Record<string, string | number>>;
  readonly service: LoadResult & { readonly slowestHealthMs: number };
  readonly naive: LoadResult & { readonly slowestHealthMs: number };
  readonly inProcess: ReadonlyArray<{ readonly batch: number; readonly rowsPerSecond: number; readonly msPerBatch: number }>;
  readonly ratios: { readonly serviceOverNaive: number; readonly serviceOverInProcessLimit: number };
}

const f = (n: number, digits = 1): string => n.toFixed(digits);

/** The Markdown table printed at the end of a run and written next to the JSON. */
export function renderMarkdown(r: BenchReport): string {
  const best = r.inProcess.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const row = (name: string, l: BenchReport['service']): string =>
    `| ${name} | ${f(l.requestsPerSecond, 0)} | ${f(l.p50Ms)} | ${f(l.p99Ms)} | ${l.requests} | ${l.errors} | ${f(l.slowestHealthMs)} |`;
  return [
    `# Benchmark ${r.date}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; load average (1/5/15 min) ${r.machine.loadAverageAtStart.join(' / ')} at start, ${r.machine.loadAverageAtEnd.join(' / ')} at end (the benchmark itself adds about 2-3).`,
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
    '',
    '| design | req/s | p50 ms | p99 ms | requests | errors | slowest health check ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('service (dynamic batching, worker threads)', r.service),
    row('naive (one session.run per request on the event loop)', r.naive),
    `| in-process ORT limit (batch ${best.batch}, no HTTP) | ${f(best.rowsPerSecond, 0)} | – | – | – | – | – |`,
    '',
    `In-process batch sweep (rows/s): ${r.inProcess.map((p) => `${p.batch}: ${f(p.rowsPerSecond, 0)}`).join(', ')}.`,
    '',
    `Ratios: service / naive = **${f(r.ratios.serviceOverNaive, 2)}×** (target ≥ 2×); service / in-process limit = **${f(r.ratios.serviceOverInProcessLimit, 2)}×** (target ≥ 0.6×); service p99 = **${f(r.service.p99Ms)} ms** (target < 50 ms).`,
    '',
  ].join('\n');
}
