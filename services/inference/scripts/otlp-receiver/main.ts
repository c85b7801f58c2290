/**
 * npm run trace-receiver [-- --port 4318]: an OTLP/HTTP receiver on loopback that prints each trace as a tree once
 * its spans have stopped arriving for half a second. Point the service at it with
 * OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (docs/tracing.md walks through it). Ctrl-C stops it.
 */
import { startOtlpReceiver } from './receiver.js';
import { traceTree } from './tree.js';

function port(argv: readonly string[]): number {
  const index = argv.indexOf('--port');
  if (index < 0) return 4318;
  const raw = argv[index + 1] ?? '';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
    console.error(`--port must be a port number 1..65535, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const receiver = await startOtlpReceiver({ port: port(process.argv.slice(2)) }).catch((error: Error) => {
  console.error(`cannot listen: ${error.message}`);
  process.exit(1);
});
console.log(`OTLP/HTTP receiver on ${receiver.url}/v1/traces (application/x-protobuf and application/json)`);
const pending = new Map<string, NodeJS.Timeout>();
receiver.onSpans = (spans) => {
  for (const traceId of new Set(spans.map((s) => s.traceId))) {
    clearTimeout(pending.get(traceId));
    pending.set(
      traceId,
      setTimeout(() => {
        pending.delete(traceId);
        console.log(`${traceTree(receiver.spans, traceId)}\n`);
      }, 500),
    );
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void receiver.close().then(() => process.exit(0)));
