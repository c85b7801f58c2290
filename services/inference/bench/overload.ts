/**
 * npm run bench:overload — does the service hold up under 10× the load it can serve (issue 3 §5)?
 *
 * 1. capacity: closed loop at BENCH_CONNECTIONS (16) for BENCH_SECONDS (5 s) → the req/s it serves and its latency;
 * 2. overload: open loop, a new request every 1/(10 × capacity) s for BENCH_SECONDS, whatever the answers, over
 *    BENCH_OVERLOAD_CONNECTIONS (256) keep-alive connections (bench/open-loop.ts);
 * and prints: answers by status (only 200, 429, 503 are acceptable), the latency of admitted (200) requests
 * against the capacity run, and the server's RSS (sampled from /proc) before, at peak and after.
 * The server is the real one (src/server.ts) in its own process with the cache off, so every request computes.
 * MAX_INFLIGHT_REQUESTS is set to the capacity run's connections: admission sized to the concurrency at which the
 * capacity was measured (Little's law: more admitted means proportionally more queueing per admitted request).
 * Latency is compared server side (the Server-Timing header) in both runs, since the generator's own queueing at
 * 10× is not the server's.
 * Both runs use the same CPU pinning (BENCH_TOPOLOGY below), so they give the server the same budget.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { threadCpuMs } from './cpu-accounting.js';
import { runOpenLoop } from './open-loop.js';
import { demoBodies } from './workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const factor = Number(process.env.BENCH_OVERLOAD_FACTOR ?? 10);
/** Keep-alive connections the flood arrives on, like a gateway's upstream pool to one replica. */
const overloadConnections = Number(process.env.BENCH_OVERLOAD_CONNECTIONS ?? 256);
const port = 18180;
const root = new URL('..', import.meta.url);
const base = `http://127.0.0.1:${port}`;
/**
 * 128 tokens per request by default (a paragraph of domain text), not the 32 of `npm run bench`: at 32 tokens one
 * worker serves ~2000 req/s, and 10× that is more than this Node generator can send from a shared core.
 */
const sequence = Number(process.env.BENCH_SEQUENCE ?? 128);
const bodies = demoBodies(512, sequence);

/**
 * Where the server's threads run (BENCH_TOPOLOGY):
 * - `shared`: the whole server on CPU 0 and this generator on CPU 1 — the event loop that refuses and the
 *   ONNX Runtime worker that computes share one core, as in a CPU-only pod with a 1-CPU limit;
 * - `model-core` (default): the worker thread that runs ONNX Runtime alone on CPU 1, the event loop (with V8's and libuv's
 *   helper threads) and this generator on CPU 0 — the model computes on a device the event loop does not share, as on
 *   a GPU node; the generator shares CPU 0 at nice 19, so it runs on what the event loop leaves and the offered
 *   rate still arrives, as from clients on other machines.
 * Pinning needs taskset and ≥ 2 cores; BENCH_PIN=0 disables it (everything floats).
 */
const topology = process.env.BENCH_TOPOLOGY ?? 'model-core';
if (topology !== 'shared' && topology !== 'model-core') throw new Error(`BENCH_TOPOLOGY must be shared or model-core, got "${topology}"`);
const pin = process.env.BENCH_PIN !== '0' && existsSync('/usr/bin/taskset') && availableParallelism() >= 2;
const taskset = (...args: string[]): void => void execFileSync('taskset', args, { stdio: 'ignore' });
// -a: every thread of this generator (V8's helpers too), not only its main thread.
if (pin) taskset('-a', '-p', '-c', topology === 'shared' ? '1' : '0', String(process.pid));
const serverArgs = ['--import', 'tsx', fileURLToPath(new URL('src/server.ts', root))];
// node --import tsx, not the tsx launcher: the child pid must be the server's for /proc RSS and signals.
const child = spawn(pin && topology === 'shared' ? 'taskset' : process.execPath, pin && topology === 'shared' ? ['-c', '0', process.execPath, ...serverArgs] : serverArgs, {
  env: {
    ...process.env, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(port + 1), AUTH_MODE: 'none',
    CACHE_ENABLED: 'false', LOG_LEVEL: 'error', MAX_INFLIGHT_REQUESTS: String(connections),
    WORKER_THREADS: '1', INTRA_OP_THREADS: '1',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

const rssMiB = (): number => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

/** CPU seconds (user + system, all threads) the server has used so far, from /proc/<pid>/stat. */
const cpuSeconds = (): number => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
};

/**
 * model-core: every server thread to CPU 0, then the thread that ran ONNX Runtime during `warm` (the busiest one
 * besides the event loop; WORKER_THREADS=1 and INTRA_OP_THREADS=1, so the model runs on that worker's own thread)
 * to CPU 1. Returns its tid.
 */
async function pinModelThread(warm: () => Promise<unknown>): Promise<number> {
  const pid = child.pid ?? 0;
  const before = threadCpuMs(pid);
  await warm();
  const busiest = [...threadCpuMs(pid)]
    .filter(([tid]) => tid !== pid)
    .map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])[0];
  if (!busiest || busiest[1] === 0) throw new Error('could not find the thread that runs the model');
  taskset('-a', '-p', '-c', '0', String(child.pid));
  taskset('-p', '-c', '1', String(busiest[0]));
  return busiest[0];
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Closed loop at `connections`, recording client and server (Server-Timing) latency. */
async function closedLoop(durationMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const client: number[] = [];
  const server: number[] = [];
  const deadline = performance.now() + durationMs;
  let next = 0;
  const one = (body: Buffer) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        { agent, host: '127.0.0.1', port, path: '/v2/models/demo/infer', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) {
              client.push(performance.now() - t0);
              server.push(Number(/dur=([\d.]+)/.exec(String(res.headers['server-timing']))?.[1] ?? Number.NaN));
            }
            resolve();
          });
        },
      );
      req.on('error', () => resolve());
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await one(bodies[next++ % bodies.length] as Buffer);
    }),
  );
  agent.destroy();
  client.sort((a, b) => a - b);
  server.sort((a, b) => a - b);
  return {
    requestsPerSecond: (client.length / (performance.now() - started)) * 1000,
    p50: percentile(client, 0.5), p99: percentile(client, 0.99),
    serverP50: percentile(server, 0.5), serverP99: percentile(server, 0.99),
  };
}

/** Open loop at `ratePerSecond` over a gateway-like pool of keep-alive connections, sampling the server's RSS. */
async function openLoop(ratePerSecond: number, durationMs: number) {
  let peakRss = rssMiB();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB())), 20);
  const result = await runOpenLoop({ url: `${base}/v2/models/demo/infer`, ratePerSecond, durationMs, connections: overloadConnections, bodies });
  clearInterval(sampler);
  const admitted = [...result.admittedMs].sort((a, b) => a - b);
  const admittedServer = [...result.admittedServerMs].sort((a, b) => a - b);
  return {
    sent: result.sent, statuses: result.statusCounts, peakRss, maxBacklog: result.maxBacklog, sendSpanMs: result.sendSpanMs, wallMs: result.wallMs,
    p50: percentile(admitted, 0.5), p99: percentile(admitted, 0.99),
    serverP50: percentile(admittedServer, 0.5), serverP99: percentile(admittedServer, 0.99),
  };
}

try {
  for (let i = 0; i < 300 && !(await fetch(`${base}/v2/health/ready`).then((r) => r.ok, () => false)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (pin && topology === 'model-core') {
    const tid = await pinModelThread(() => closedLoop(1000));
    // The generator stands in for clients on other machines: at the lowest CPU priority it only uses what the event
    // loop leaves, instead of preempting it (which would charge the generator's work to the server's latency).
    // setpriority on Linux applies to one thread: lower every thread of this process (V8's helpers too).
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), 19);
    console.log(`model-core: the ONNX Runtime worker thread (tid ${tid}) alone on CPU 1; the event loop, its helper threads and the load generator (nice 19) on CPU 0`);
  }
  await closedLoop(1000); // warm-up
  const rssBefore = rssMiB();
  const cpu0 = cpuSeconds();
  const capacity = await closedLoop(seconds * 1000);
  const cpu1 = cpuSeconds();
  const servedCapacity = capacity.requestsPerSecond * seconds;
  const rate = Math.round(capacity.requestsPerSecond * factor);
  if (!pin) console.log('no CPU pinning (generator and server share cores)');
  else if (topology === 'shared') console.log('shared: the server (event loop and model worker) on CPU 0, the load generator on CPU 1');
  console.log(`workload: one row of ${sequence} tokens per request (BENCH_SEQUENCE)`);
  console.log(`capacity: ${capacity.requestsPerSecond.toFixed(0)} req/s at ${connections} connections; server side p50 ${capacity.serverP50.toFixed(1)} ms, p99 ${capacity.serverP99.toFixed(1)} ms (client side p50 ${capacity.p50.toFixed(1)}, p99 ${capacity.p99.toFixed(1)})`);
  console.log(`overload: offering ${rate} req/s (${factor}×) for ${seconds} s, open loop ...`);
  const cpu2 = cpuSeconds();
  const overload = await openLoop(rate, seconds * 1000);
  const cpu3 = cpuSeconds();
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfter = rssMiB();
  // Every request must be accounted for: open-loop.ts counts a request with no answer as error:<code>, which fails here.
  const unacceptable = Object.entries(overload.statuses).filter(([s]) => !['200', '429', '503'].includes(s));
  const accounted = Object.values(overload.statuses).reduce((a, b) => a + b, 0);
  if (accounted !== overload.sent) unacceptable.push(['unaccounted', overload.sent - accounted]);
  const served = overload.statuses['200'] ?? 0;
  console.log(`answers: ${JSON.stringify(overload.statuses)} of ${overload.sent} sent in ${(overload.sendSpanMs / 1000).toFixed(2)} s: ${((overload.sent / overload.sendSpanMs) * 1000).toFixed(0)} req/s actually offered (${((overload.sent / overload.sendSpanMs) * 1000 / capacity.requestsPerSecond).toFixed(1)}× capacity) over ${overloadConnections} keep-alive connections; at most ${overload.maxBacklog} due requests waited for a free connection`);
  console.log(`admitted throughput: ${(served / (overload.sendSpanMs / 1000)).toFixed(0)} req/s over the ${(overload.sendSpanMs / 1000).toFixed(2)} s of sending (${((served / (overload.sendSpanMs / 1000) / capacity.requestsPerSecond) * 100).toFixed(0)} % of capacity)`);
  console.log(`admitted latency, server side: p50 ${overload.serverP50.toFixed(1)} ms, p99 ${overload.serverP99.toFixed(1)} ms (${(overload.serverP50 / capacity.serverP50).toFixed(2)}× / ${(overload.serverP99 / capacity.serverP99).toFixed(2)}× the capacity run)`);
  console.log(`admitted latency, client side (includes this generator's own queueing on the same cores): p50 ${overload.p50.toFixed(1)} ms, p99 ${overload.p99.toFixed(1)} ms`);
  const perServed = (cpu1 - cpu0) / servedCapacity;
  const refused = overload.sent - served;
  const perRefused = (cpu3 - cpu2 - served * perServed) / Math.max(1, refused);
  console.log(`server CPU: ${((cpu1 - cpu0) / seconds).toFixed(2)} cores in the capacity run (${(perServed * 1e6).toFixed(0)} µs per served request), ${((cpu3 - cpu2) / (overload.wallMs / 1000)).toFixed(2)} cores under overload (≈ ${(perRefused * 1e6).toFixed(0)} µs per refused request)`);
  console.log(`server RSS: ${rssBefore.toFixed(0)} MiB before, ${overload.peakRss.toFixed(0)} MiB peak, ${rssAfter.toFixed(0)} MiB after`);
  console.log(unacceptable.length === 0 ? 'OK: only 200/429/503 answers' : `FAIL: unacceptable answers ${JSON.stringify(unacceptable)}`);
  process.exitCode = unacceptable.length === 0 ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  await once(child, 'exit');
}
