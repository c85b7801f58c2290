/**
 * The in-process ONNX Runtime limit: no HTTP, no JSON, no threads to cross. For each batch size it reports
 * rows/s of one session using every core (wall clock), and rows per CPU-second of a single-threaded session;
 * cores × the latter is the ceiling with perfect scaling and the machine to itself (other work running at the
 * same time cannot lower a CPU-time figure). Prints one JSON line.
 * Usage: tsx bench/in-process-limit.ts <model.onnx> <sequence> <seconds per size>
 */
import ort from 'onnxruntime-node';

const [file = '', sequenceArg = '32', secondsArg = '1.5'] = process.argv.slice(2);
const sequence = Number(sequenceArg);
const seconds = Number(secondsArg);
const allCores = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' });
const oneThread = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });

function feeds(batch: number): Record<string, ort.Tensor> {
  const ids = BigInt64Array.from({ length: batch * sequence }, (_, i) => BigInt((i * 17 + 1) % 2048));
  return {
    input_ids: new ort.Tensor('int64', ids, [batch, sequence]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * sequence).fill(1n), [batch, sequence]),
  };
}

async function timed(session: ort.InferenceSession, batch: number): Promise<{ runs: number; wallMs: number; cpuMs: number }> {
  const input = feeds(batch);
  await session.run(input);
  let runs = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < seconds * 500) {
    await session.run(input);
    runs++;
  }
  const used = process.cpuUsage(cpu);
  return { runs, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

const results: Array<{ batch: number; rowsPerSecond: number; msPerBatch: number; rowsPerCpuSecond: number }> = [];
for (const batch of [1, 8, 16, 32, 64, 128]) {
  const wall = await timed(allCores, batch);
  const single = await timed(oneThread, batch);
  results.push({
    batch,
    rowsPerSecond: (wall.runs * batch * 1000) / wall.wallMs,
    msPerBatch: wall.wallMs / wall.runs,
    rowsPerCpuSecond: (single.runs * batch * 1000) / single.cpuMs,
  });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
