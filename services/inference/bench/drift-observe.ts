/**
 * What drift monitoring costs the event loop per request: VersionMonitor.observeInputs + observeOutputs with the
 * shipped demo profile, for a demo request of 16 and of 128 tokens. Prints µs per request; not a test.
 *
 *   npx tsx services/inference/bench/drift-observe.ts
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Registry } from 'prom-client';
import { VersionMonitor } from '../src/drift/monitor.js';
import type { DriftProfile } from '../src/drift/profile.js';
import type { HostTensor, InferResponseOutput } from '../src/protocol/types.js';

const profile = JSON.parse(readFileSync(new URL('../models/demo/1/drift-profile.json', import.meta.url), 'utf8')) as DriftProfile;
const registry = new Registry();
const labelNames = ['model', 'version', 'feature', 'bin'];
const monitor = new VersionMonitor(profile, {
  observations: new Counter({ name: 'obs', help: 'h', labelNames, registers: [registry] }),
  reference: new Gauge({ name: 'ref', help: 'h', labelNames, registers: [registry] }),
});

for (const tokens of [16, 128]) {
  const ids = BigInt64Array.from({ length: tokens }, (_, i) => BigInt(1 + ((i * 37) % 2000)));
  const inputs: HostTensor[] = [
    { name: 'input_ids', datatype: 'INT64', shape: [1, tokens], data: ids },
    { name: 'attention_mask', datatype: 'INT64', shape: [1, tokens], data: ids.map(() => 1n) },
  ];
  const outputs: InferResponseOutput[] = [{ name: 'probabilities', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.6, 0.2, 0.1] }];
  const n = 200_000;
  for (let i = 0; i < 20_000; i++) monitor.observeInputs(inputs);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    monitor.observeInputs(inputs);
    monitor.observeOutputs(outputs);
  }
  const us = Number(process.hrtime.bigint() - start) / 1000 / n;
  console.log(`${tokens} tokens: ${us.toFixed(2)} µs per request (inputs + outputs, ${profile.features.length} features)`);
}
