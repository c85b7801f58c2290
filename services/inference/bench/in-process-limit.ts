/**
 * The in-process ONNX Runtime limit: no HTTP, no JSON, no threads to cross; one session using every core runs
 * batches back to back. Prints JSON lines {batch, rowsPerSecond, msPerBatch}; the best is the ceiling any server
 * on this machine could reach. Usage: tsx bench/in-process-limit.ts <model.onnx> <sequence> <seconds per size>
 */
import ort from 'onnxruntime-node';

const [file = '', sequenceArg = '32', secondsArg = '1.5'] = process.argv.slice(2);
const sequence = Number(sequenceArg);
const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' });
const results: Array<{ batch: number; rowsPerSecond: number; msPerBatch: number }> = [];
for (const batch of [1, 8, 16, 32, 64, 128]) {
  const ids = BigInt64Array.from({ length: batch * sequence }, (_, i) => BigInt((i * 17 + 1) % 2048));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [batch, sequence]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * sequence).fill(1n), [batch, sequence]),
  };
  await session.run(feeds);
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < Number(secondsArg) * 1000) {
    await session.run(feeds);
    runs++;
  }
  const elapsed = performance.now() - started;
  results.push({ batch, rowsPerSecond: (runs * batch * 1000) / elapsed, msPerBatch: elapsed / runs });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
