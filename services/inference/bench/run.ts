/**
 * npm run bench — one run answers: how does the service (dynamic batching on worker threads) compare with the
 * naive design (one session.run per request on the event loop) and with the in-process ONNX Runtime limit?
 * The service runs twice: as deployed (src/server.ts, production layer on) and as its core (app.ts alone, like the
 * naive server, no production layer), and the deployed service once more driven with the binary tensor data
 * extension (Triton's clients' framing: raw little-endian inputs and output). Each server runs in its own process; the load generator (this process) drives it over loopback. Besides
 * wall-clock figures it counts CPU time per request (server threads and load generator), which gives the
 * throughput each design would reach with the whole machine to itself.
 * Env: BENCH_SECONDS (10), BENCH_CONNECTIONS (100), BENCH_SEQUENCE (32), and the service's own settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuDelta, processCpu } from './cpu-accounting.js';
import { runLoad } from './load-generator.js';
import type { WireBody } from './http-wire.js';
import { ratioTable, renderMarkdown, type BenchReport, type DesignResult } from './report.js';
import { benchSequenceLength, demoBinaryBodies, demoBodies } from './workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const root = new URL('..', import.meta.url);
const file = (path: string): string => fileURLToPath(new URL(path, root));
const modelFile = file('models/demo/1/model.onnx');
const bodies = demoBodies(512);
const binaryBodies = demoBinaryBodies(512);
const loadAverageAtStart = loadavg().map((l) => Number(l.toFixed(2)));
// The production layer stays on (metrics, limits, logs) except the result cache, which would answer repeated
// bodies without inference; auth is off because the load generator carries no token.
const env = { ...process.env, HOST: '127.0.0.1', AUTH_MODE: 'none', CACHE_ENABLED: 'false', METRICS_PORT: '0' };
// The deployed service logs at its default level (info: one ECS audit record per inference call) into a file, as a
// container runtime would collect stdout; the reference servers have no audit log and run at warn.
const serviceLog = join(tmpdir(), 'inference-bench-service.log');
const quiet = { LOG_LEVEL: 'warn' };

/** Runs a TypeScript entry under node + tsx directly, so that child.pid is the server process itself. */
const startTs = (entry: string, args: string[], extraEnv: Record<string, string> = {}, stdout: 'inherit' | number = 'inherit'): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', file(entry), ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', stdout, 'inherit'] });

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

/** Polls a GET endpoint every 50 ms while `work` runs; the slowest answer shows event-loop blocking. */
async function probeWhile<T>(url: string, work: Promise<T>): Promise<{ result: T; slowestMs: number }> {
  let done = false;
  let slowestMs = 0;
  const prober = (async () => {
    while (!done) {
      const t0 = performance.now();
      await fetch(url).then((r) => r.arrayBuffer(), () => undefined);
      slowestMs = Math.max(slowestMs, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work;
  done = true;
  await prober;
  return { result, slowestMs };
}

async function measure(name: string, child: ChildProcess, port: number, metricsPort?: number, load: readonly (Buffer | WireBody)[] = bodies): Promise<DesignResult> {
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/v2/models/demo/infer`;
  try {
    await waitForReady(`${base}/v2/health/ready`, child);
    console.log(`${name}: warming up, then ${seconds} s at ${connections} connections`);
    await runLoad({ url, connections, durationMs: 2000, bodies: load });
    const serverBefore = processCpu(child.pid ?? 0);
    const generatorBefore = process.cpuUsage();
    const { result, slowestMs } = await probeWhile(`${base}/v2/health/ready`, runLoad({ url, connections, durationMs: seconds * 1000, bodies: load }));
    const generator = process.cpuUsage(generatorBefore);
    const server = cpuDelta(serverBefore, processCpu(child.pid ?? 0));
    const perRequest = (ms: number): number => (ms * 1000) / Math.max(1, result.requests);
    const cpu = server && {
      mainThreadUs: perRequest(server.mainMs),
      otherThreadsUs: perRequest(server.otherThreadsMs),
      loadGeneratorUs: perRequest((generator.user + generator.system) / 1000),
    };
    const meanBatchSize = metricsPort ? await meanBatch(metricsPort) : undefined;
    return { ...result, slowestHealthMs: slowestMs, ...(cpu && { cpuPerRequest: cpu }), ...(meanBatchSize !== undefined && { meanBatchSize }) };
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

/** Mean executed batch size since start, from the service's Prometheus metrics (warm-up load included). */
async function meanBatch(port: number): Promise<number | undefined> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const mean = value('inference_batch_size_sum') / value('inference_batch_size_count');
  return Number.isFinite(mean) ? mean : undefined;
}

async function inProcessLimit(): Promise<BenchReport['inProcess']> {
  const child = spawn(process.execPath, ['--import', 'tsx', file('bench/in-process-limit.ts'), modelFile, String(benchSequenceLength), '1.5'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'exit');
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as BenchReport['inProcess'];
}

// Ports below Linux's ephemeral range (32768–60999): the generator's own client sockets take ephemeral ports, and
// one of them holding 38070 made the next server's listen fail with EADDRINUSE.
const service = await measure('service', startTs('src/server.ts', [], { PORT: '28080', METRICS_PORT: '28081' }, openSync(serviceLog, 'w')), 28080, 28081);
const auditRecords = readFileSync(serviceLog, 'utf8').split('\n').filter((line) => line.includes('"inference audit"')).length;
console.log(`service: ${auditRecords} audit records in ${serviceLog}`);
// The same deployed service again, driven by Triton-style binary requests (a fresh process, same settings).
const binaryLog = join(tmpdir(), 'inference-bench-service-binary.log');
const binary = await measure(
  'service, binary tensors',
  startTs('src/server.ts', [], { PORT: '28082', METRICS_PORT: '28083' }, openSync(binaryLog, 'w')),
  28082,
  28083,
  binaryBodies,
);
const core = await measure('service core', startTs('bench/core-server.ts', [], { PORT: '28070', ...quiet }), 28070);
const naive = await measure('naive', startTs('bench/naive-server.ts', ['28090', modelFile], quiet), 28090);
console.log('in-process limit: batch sweep');
const inProcess = await inProcessLimit();
const best = inProcess.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));

const report: BenchReport = {
  date: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
  },
  settings: { seconds, connections, sequenceLength: benchSequenceLength, serviceLogLevel: process.env.LOG_LEVEL ?? 'info (default)', serviceAuditRecords: auditRecords, workerThreads: process.env.WORKER_THREADS ?? 'default', intraOpThreads: process.env.INTRA_OP_THREADS ?? 'default' },
  service,
  binary,
  core,
  naive,
  inProcess,
  ratios: {
    table: ratioTable({ service, binary, core, naive, inProcess }),
    serviceOverNaive: service.requestsPerSecond / naive.requestsPerSecond,
    serviceOverInProcessLimit: service.requestsPerSecond / best.rowsPerSecond,
    coreOverNaive: core.requestsPerSecond / naive.requestsPerSecond,
    coreOverInProcessLimit: core.requestsPerSecond / best.rowsPerSecond,
  },
};
const markdown = renderMarkdown(report);
const outDir = new URL('bench/results/', root);
await mkdir(outDir, { recursive: true });
const stamp = report.date.replace(/[:.]/g, '-');
for (const name of [`bench-${stamp}`, 'latest']) {
  await writeFile(new URL(`${name}.json`, outDir), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(new URL(`${name}.md`, outDir), markdown);
}
console.log(`\n${markdown}\nwritten to ${fileURLToPath(outDir)}`);
