import { runLoad } from './load-generator.js';
import { demoBodies } from './workload.js';
const t0 = process.cpuUsage();
const r = await runLoad({ url: `http://127.0.0.1:${process.argv[2]}/v2/models/demo/infer`, connections: 100, durationMs: Number(process.argv[3] ?? 6000), bodies: demoBodies(512) });
const c = process.cpuUsage(t0);
console.log(JSON.stringify({ rps: r.requestsPerSecond, p50: r.p50Ms, p99: r.p99Ms, n: r.requests, genCpuMs: (c.user + c.system) / 1000 }));
