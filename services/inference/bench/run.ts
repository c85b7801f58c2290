/**
 * npm run bench — one run answers: how does the service (dynamic batching on worker threads) compare with the
 * naive design (one session.run per request on the event loop) and with the in-process ONNX Runtime limit?
 * Each server runs in its own process; the load generator (this process) drives it over loopback.
 * Env: BENCH_SECONDS (10), BENCH_CONNECTIONS (100), BENCH_SEQUENCE (32), and the service's own settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult } from './load-generator.js';
import { renderMarkdown, type BenchReport } from './report.js';
import { benchSequenceLength, demoBodies } from './workload.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const root = new URL('..', import.meta.url);
const modelFile = fileURLToPath(new URL('models/demo/1/model.onnx', root));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', root));
const bodies = demoBodies(512);
const loadAverageAtStart = loadavg().map((l) => Number(l.toFixed(2)));

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

/** Polls a GET endpoint every 50 ms while `work` runs; returns the slowest answer in ms (event-loop blocking shows here). */
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

async function measure(name: string, child: ChildProcess, base: string, readyUrl: string): Promise<LoadResult & { slowestHealthMs: number }> {
  try {
    await waitForReady(readyUrl, child);
    console.log(`${name}: warming up, then ${seconds} s at ${connections} connections`);
    await runLoad({ url: `${base}/v2/models/demo/infer`, connections, durationMs: 2000, bodies });
    const load = runLoad({ url: `${base}/v2/models/demo/infer`, connections, durationMs: seconds * 1000, bodies });
    const { result, slowestMs } = await probeWhile(readyUrl, load);
    return { ...result, slowestHealthMs: slowestMs };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

async function inProcessLimit(): Promise<BenchReport['inProcess']> {
  const child = spawn(tsx, [fileURLToPath(new URL('bench/in-process-limit.ts', root)), modelFile, String(benchSequenceLength), '1.5'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'exit');
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as BenchReport['inProcess'];
}

// The production layer stays on (metrics, limits, logs) except the result cache, which would answer repeated
// bodies without inference; auth is off because the load generator carries no token.
const env = { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', AUTH_MODE: 'none', CACHE_ENABLED: 'false', METRICS_PORT: '0' };
const servicePort = 18080;
const naivePort = 18090;

const service = await measure(
  'service',
  spawn(tsx, [fileURLToPath(new URL('src/server.ts', root))], { env: { ...env, PORT: String(servicePort) }, stdio: 'inherit' }),
  `http://127.0.0.1:${servicePort}`,
  `http://127.0.0.1:${servicePort}/v2/health/ready`,
);
const naive = await measure(
  'naive',
  spawn(tsx, [fileURLToPath(new URL('bench/naive-server.ts', root)), String(naivePort), modelFile], { env, stdio: 'inherit' }),
  `http://127.0.0.1:${naivePort}`,
  `http://127.0.0.1:${naivePort}/v2/health/ready`,
);
console.log('in-process limit: batch sweep');
const inProcess = await inProcessLimit();
const best = inProcess.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));

const report: BenchReport = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
  settings: { seconds, connections, sequenceLength: benchSequenceLength, workerThreads: process.env.WORKER_THREADS ?? 'default', intraOpThreads: process.env.INTRA_OP_THREADS ?? 'default' },
  service,
  naive,
  inProcess,
  ratios: {
    serviceOverNaive: service.requestsPerSecond / naive.requestsPerSecond,
    serviceOverInProcessLimit: service.requestsPerSecond / best.rowsPerSecond,
  },
};
const markdown = renderMarkdown(report);
const outDir = new URL('bench/results/', root);
await mkdir(outDir, { recursive: true });
const stamp = report.date.replace(/[:.]/g, '-');
await writeFile(new URL(`bench-${stamp}.json`, outDir), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(new URL(`bench-${stamp}.md`, outDir), markdown);
await writeFile(new URL('latest.json', outDir), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(new URL('latest.md', outDir), markdown);
console.log(`\n${markdown}\nwritten to ${fileURLToPath(outDir)}`);
