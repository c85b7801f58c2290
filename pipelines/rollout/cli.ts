/**
 * `npm run rollout -- --env=prod --prometheus=http://127.0.0.1:9090`: the progressive rollout in a cluster.
 * Exit codes: 0 promoted, 1 rolled back (the stable version serves all traffic), 2 the rollout could not run.
 * The report (JSON + Markdown) lands in --report-dir; the pipeline attaches it to the run summary.
 */
import { runRollout } from './driver.js';
import { K6Gate, k6Available } from './gate/k6-gate.js';
import { NodeGate } from './gate/node-gate.js';
import type { GateTarget } from './gate/types.js';
import { parseRolloutArgs, rolloutUsage, type RolloutCliOptions } from './options.js';
import { writeReport } from './report.js';
import { KubernetesShifter } from './shifters/kubernetes.js';

let o: RolloutCliOptions;
try {
  o = parseRolloutArgs(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`rollout: ${error instanceof Error ? error.message : String(error)}\n${rolloutUsage}`);
  process.exit(2);
}

const target: GateTarget = {
  baseUrl: o.gatewayUrl,
  model: o.model,
  token: o.token,
  ratePerSecond: o.gateRate,
  ...(o.generateModel ? { generateModel: o.generateModel } : {}),
};
try {
  const report = await runRollout({
    shifter: new KubernetesShifter(o.kubernetes),
    gate: (await k6Available()) ? new K6Gate(target) : new NodeGate(target),
    prometheusUrl: o.prometheusUrl,
    windowSeconds: o.windowSeconds,
    settleSeconds: o.settleSeconds,
    verifyBeforeFirstExposure: o.verifyBeforeFirstExposure,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  const files = await writeReport(o.reportDir, `rollout-${o.environment}`, report);
  console.log(`rollout: ${report.outcome}; report ${files.join(', ')}`);
  process.exit(report.outcome === 'promoted' ? 0 : 1);
} catch (error) {
  console.error(`rollout: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
