/**
 * npm run bench:tracing — what does tracing cost? The service as deployed (src/server.ts, production layer on,
 * result cache off, auth off, as in `npm run bench`) with tracing
 *   off        no OTEL_* endpoint: the default
 *   unsampled  the SDK on, OTEL_TRACES_SAMPLER=always_off: non-recording spans only
 *   on         every request sampled and exported over OTLP/HTTP protobuf to a receiver in this process
 *              (scripts/otlp-receiver), so the export's own work is counted in the server
 *   base       another checkout of the service (BENCH_BASE_SERVER=/path/to/src/server.ts), e.g. the commit before
 *              tracing existed, to show that "off" costs what no tracing code costs
 *
 * Paired, because the machine is shared: both servers of a pair run at the same time under one load generator (half
 * the connections each), so whatever else the machine does hits both alike; their CPU time per request (main
 * thread, from /proc) is compared within the round. Rounds swap the ports. Prints each round and the median ratio.
 * Env: BENCH_SECONDS (5), BENCH_CONNECTIONS (100, split between the two), BENCH_ROUNDS (3),
 * BENCH_PAIRS (off:unsampled,off:on; with BENCH_BASE_SERVER also base:off).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver } from '../scripts/otlp-receiver/receiver.js';
import { cpuDelta, processCpu } from './cpu-accounting.js';
import { runLoad, type LoadResult } from './load-generator.js';
import { demoBodies } from './workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const baseServer = process.env.BENCH_BASE_SERVER;
const pairs = (process.env.BENCH_PAIRS ?? (baseServer ? 'base:off,off:unsampled,off:on' : 'off:unsampled,off:on')).split(',').map((p) => p.split(':') as [string, string]);
const variants = ['off', 'on', 'unsampled', 'base'];
for (const [a, b] of pairs) {
  for (const v of [a, b]) if (!variants.includes(v)) throw new Error(`BENCH_PAIRS: unknown variant "${v}" (${variants.join(', ')})`);
  if ((a === 'base' || b === 'base') && !baseServer) throw new Error('BENCH_PAIRS names "base": set BENCH_BASE_SERVER to that checkout\'s src/server.ts');
}
const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const models = fileURLToPath(new URL('../models', import.meta.url));
const bodies = demoBodies(512);
const receiver = await startOtlpReceiver();

const envOf = (variant: string): Record<string, string> => ({
  ...(variant === 'on' || variant === 'unsampled' ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } : {}),
  ...(variant === 'unsampled' ? { OTEL_TRACES_SAMPLER: 'always_off' } : {}),
});

interface Measured {
  readonly load: LoadResult;
  readonly mainUs: number;
  readonly otherUs: number;
}

function start(variant: string, port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', variant === 'base' ? (baseServer as string) : server], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      MODEL_REPOSITORY: models,
      AUTH_MODE: 'none',
      CACHE_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      // One worker thread each: two servers share the 2 cores.
      WORKER_THREADS: '1',
      INTRA_OP_THREADS: '1',
      ...envOf(variant),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function ready(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; !(await fetch(`http://127.0.0.1:${port}/v2/health/ready`).then((r) => r.ok, () => false)); i++) {
    if (i > 600 || child.exitCode !== null) throw new Error(`server on ${port} not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function pair(a: string, b: string, swap: boolean): Promise<[Measured, Measured]> {
  const ports = swap ? [28182, 28180] : [28180, 28182];
  const children = [start(a, ports[0] as number), start(b, ports[1] as number)];
  try {
    await Promise.all(children.map((c, i) => ready(ports[i] as number, c)));
    const load = (i: number, durationMs: number) =>
      runLoad({ url: `http://127.0.0.1:${ports[i]}/v2/models/demo/infer`, connections: Math.max(1, Math.floor(connections / 2)), durationMs, bodies });
    await Promise.all([load(0, 1500), load(1, 1500)]);
    const before = children.map((c) => processCpu(c.pid ?? 0));
    const loads = await Promise.all([load(0, seconds * 1000), load(1, seconds * 1000)]);
    return loads.map((l, i) => {
      const cpu = cpuDelta(before[i], processCpu(children[i]?.pid ?? 0));
      const per = (ms: number) => (ms * 1000) / Math.max(1, l.requests);
      return { load: l, mainUs: per(cpu?.mainMs ?? Number.NaN), otherUs: per(cpu?.otherThreadsMs ?? Number.NaN) };
    }) as [Measured, Measured];
  } finally {
    for (const child of children) {
      child.kill('SIGKILL');
      if (child.exitCode === null) await once(child, 'exit');
    }
  }
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const fmt = (m: Measured) => `${m.load.requestsPerSecond.toFixed(0)} req/s, p99 ${m.load.p99Ms.toFixed(1)} ms, main ${m.mainUs.toFixed(1)} µs/req, other ${m.otherUs.toFixed(0)} µs/req, errors ${m.load.errors}`;
const summary: string[] = [];
const loadAtStart = loadavg()[0]?.toFixed(2);
for (const [a, b] of pairs) {
  const ratios: number[] = [];
  const mains: Array<[number, number]> = [];
  for (let r = 0; r < rounds; r++) {
    const [ma, mb] = await pair(a, b, r % 2 === 1);
    ratios.push(mb.mainUs / ma.mainUs);
    mains.push([ma.mainUs, mb.mainUs]);
    console.log(`${a} vs ${b}, round ${r + 1}: ${a} ${fmt(ma)} | ${b} ${fmt(mb)} | main-thread CPU ${b}/${a} ${(mb.mainUs / ma.mainUs).toFixed(3)}`);
  }
  summary.push(
    `| ${a} → ${b} | ${mains.map(([x, y]) => `${x.toFixed(0)} → ${y.toFixed(0)}`).join(', ')} | ${ratios.map((x) => x.toFixed(3)).join(', ')} | **${median(ratios).toFixed(3)}** |`,
  );
}
await receiver.close();
console.log(`\n${rounds} rounds × ${seconds} s, ${connections} connections split over each pair; load average ${loadAtStart} → ${loadavg()[0]?.toFixed(2)}; ${receiver.spans.length} spans received\n`);
console.log('| pair (run together) | main-thread CPU µs/request, each round | ratio, each round | median ratio |');
console.log('| --- | --- | --- | ---: |');
for (const line of summary) console.log(line);
