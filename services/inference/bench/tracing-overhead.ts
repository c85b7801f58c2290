/**
 * npm run bench:tracing — what does tracing cost? The service as deployed (src/server.ts, production layer on,
 * result cache off, as in `npm run bench`) under the same closed-loop load, with tracing
 *   off      no OTEL_* endpoint: the default
 *   on       every request sampled and exported over OTLP/HTTP protobuf to a receiver in this process
 *            (scripts/otlp-receiver), so the export's own cost is counted in the server, not the receiver's
 *   unsampled the SDK on but OTEL_TRACES_SAMPLER=always_off: the cost of creating non-recording spans
 * Variants run in turns, ROUNDS times each; on a shared machine the best round of each (most req/s, least CPU per
 * request) is the figure to compare. Prints a Markdown table.
 * Env: BENCH_SECONDS (4), BENCH_CONNECTIONS (100), BENCH_ROUNDS (3), BENCH_VARIANTS (off,on,unsampled).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver } from '../scripts/otlp-receiver/receiver.js';
import { cpuDelta, processCpu } from './cpu-accounting.js';
import { runLoad, type LoadResult } from './load-generator.js';
import { demoBodies } from './workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const variants = (process.env.BENCH_VARIANTS ?? 'off,on,unsampled').split(',');
for (const v of variants) if (!['off', 'on', 'unsampled'].includes(v)) throw new Error(`BENCH_VARIANTS: unknown variant "${v}" (off, on, unsampled)`);
const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const bodies = demoBodies(512);
const receiver = await startOtlpReceiver();

const envOf = (variant: string): Record<string, string> => ({
  ...(variant === 'off' ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }),
  ...(variant === 'unsampled' ? { OTEL_TRACES_SAMPLER: 'always_off' } : {}),
});

interface Round {
  readonly load: LoadResult;
  readonly mainUs: number;
  readonly otherUs: number;
}

async function measure(variant: string): Promise<Round> {
  const port = 28180;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', server], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: '0', AUTH_MODE: 'none', CACHE_ENABLED: 'false', LOG_LEVEL: 'warn', ...envOf(variant) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; !(await fetch(`${base}/v2/health/ready`).then((r) => r.ok, () => false)); i++) {
      if (i > 600 || child.exitCode !== null) throw new Error(`${variant}: server not ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = `${base}/v2/models/demo/infer`;
    await runLoad({ url, connections, durationMs: 1500, bodies });
    const before = processCpu(child.pid ?? 0);
    const load = await runLoad({ url, connections, durationMs: seconds * 1000, bodies });
    const cpu = cpuDelta(before, processCpu(child.pid ?? 0));
    const per = (ms: number) => (ms * 1000) / Math.max(1, load.requests);
    return { load, mainUs: per(cpu?.mainMs ?? Number.NaN), otherUs: per(cpu?.otherThreadsMs ?? Number.NaN) };
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

const results = new Map<string, Round[]>(variants.map((v) => [v, []]));
const loadAtStart = loadavg()[0]?.toFixed(2);
for (let r = 0; r < rounds; r++) {
  for (const variant of variants) {
    const round = await measure(variant);
    results.get(variant)?.push(round);
    console.log(`round ${r + 1} ${variant}: ${round.load.requestsPerSecond.toFixed(0)} req/s, p99 ${round.load.p99Ms.toFixed(1)} ms, main ${round.mainUs.toFixed(0)} µs/req, errors ${round.load.errors}`);
  }
}
await receiver.close();

console.log(`\n${rounds} rounds × ${seconds} s at ${connections} connections; load average ${loadAtStart} → ${loadavg()[0]?.toFixed(2)}; ${receiver.spans.length} spans received\n`);
console.log('| tracing | best req/s | p50 ms (that round) | p99 ms (that round) | least main-thread CPU µs/request | least other-threads CPU µs/request |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [variant, list] of results) {
  const best = list.reduce((a, b) => (b.load.requestsPerSecond > a.load.requestsPerSecond ? b : a));
  const mainUs = Math.min(...list.map((x) => x.mainUs));
  const otherUs = Math.min(...list.map((x) => x.otherUs));
  console.log(`| ${variant} | ${best.load.requestsPerSecond.toFixed(0)} | ${best.load.p50Ms.toFixed(1)} | ${best.load.p99Ms.toFixed(1)} | ${mainUs.toFixed(0)} | ${otherUs.toFixed(0)} |`);
}
