/**
 * The local rehearsal of the production rollout: real Redis, two real service instances (stable, and a canary
 * with the chosen faults), HAProxy rendered from the route model, Prometheus with the cluster's alert rules, steady
 * client traffic through the gateway, and the rollout driver with the HAProxy shifter. Everything it starts is
 * stopped at the end, on error, and on Ctrl-C (the caller wires signals to `abort`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slo } from '../../policies/slo.js';
import { ProcessGroup } from '../lib/processes.js';
import { sleep } from '../lib/wait.js';
import { runRollout } from '../rollout/driver.js';
import { K6Gate, k6Available } from '../rollout/gate/k6-gate.js';
import { LoadGenerator, fetchModelMetadata, type LoadFigures } from '../rollout/gate/load-generator.js';
import { NodeGate } from '../rollout/gate/node-gate.js';
import type { GateRunner, GateTarget } from '../rollout/gate/types.js';
import type { RolloutReport } from '../rollout/report.js';
import { startPlumbing } from './gateway-and-metrics.js';
import { canaryProfiles, type RehearsalOptions } from './options.js';
import { startRedis, startServiceInstance } from './services.js';

export interface RehearsalResult {
  readonly options: RehearsalOptions;
  readonly canaryEnv: Readonly<Record<string, string>>;
  readonly rollout: RolloutReport;
  /** Steady client traffic through the gateway over the whole rollout. */
  readonly clients: LoadFigures & { readonly failedFraction: number };
  /** The checks that decide the exit code. */
  readonly expectations: readonly { readonly what: string; readonly ok: boolean }[];
  readonly passed: boolean;
}

const model = 'demo';

export async function rehearse(
  options: RehearsalOptions,
  log: (line: string) => void,
  group: ProcessGroup = new ProcessGroup(),
): Promise<RehearsalResult> {
  const dir = await mkdtemp(join(tmpdir(), 'rehearsal-'));
  const canaryEnv = canaryProfiles[options.canary].env;
  let keepDir = false;
  try {
    log(`rehearsal: scratch folder ${dir} (configs, logs, Prometheus data)`);
    const redisUrl = await startRedis(group, dir);
    log(`rehearsal: redis at ${redisUrl}; starting stable and canary (${options.canary}: ${JSON.stringify(canaryEnv)})`);
    const [stable, canary] = await Promise.all([
      startServiceInstance(group, dir, { track: 'stable', redisUrl, env: {} }),
      startServiceInstance(group, dir, { track: 'canary', redisUrl, env: canaryEnv }),
    ]);
    const plumbing = await startPlumbing({ group, dir, stable, canary });
    log(`rehearsal: gateway ${plumbing.gatewayUrl}, Prometheus ${plumbing.prometheusUrl}`);

    const metadata = await fetchModelMetadata(plumbing.gatewayUrl, model);
    const clients = new LoadGenerator(
      { baseUrl: plumbing.gatewayUrl, model, ratePerSecond: options.clientRate, idPrefix: 'client' },
      metadata,
    ).start();
    const target: GateTarget = {
      baseUrl: plumbing.gatewayUrl,
      model,
      token: '',
      ratePerSecond: options.gateRate,
      ...(options.generateModel ? { generateModel: options.generateModel } : {}),
    };
    const gate: GateRunner = (await k6Available()) ? new K6Gate(target) : new NodeGate(target);

    let rollout: RolloutReport;
    let clientFigures: RehearsalResult['clients'];
    try {
      rollout = await runRollout({
        shifter: plumbing.shifter,
        gate,
        prometheusUrl: plumbing.prometheusUrl,
        windowSeconds: options.windowSeconds,
        settleSeconds: 2,
        readyTimeoutMs: 15_000,
        verifyBeforeFirstExposure: options.verifyBeforeFirstExposure,
        log,
      });
      // A few more seconds of client traffic on the final route, so the run includes the state it ended in.
      await sleep(3000);
    } finally {
      const figures = await clients.stop();
      clientFigures = { ...figures, failedFraction: figures.requests > 0 ? figures.failed / figures.requests : 0 };
    }
    const expectations = judgeRehearsal(options, rollout, clientFigures);
    const passed = expectations.every((e) => e.ok);
    keepDir = !passed;
    return { options, canaryEnv, rollout, clients: clientFigures, expectations, passed };
  } catch (error) {
    keepDir = true;
    throw error;
  } finally {
    await group.stopAll();
    if (keepDir) log(`rehearsal: kept ${dir} for inspection`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** The outcome the rehearsal promises: the expected decision, at the first step for a rollback, and < 1 % client failures. */
export function judgeRehearsal(
  options: RehearsalOptions,
  rollout: RolloutReport,
  clients: RehearsalResult['clients'],
): RehearsalResult['expectations'] {
  const firstStep = slo.canarySteps[0];
  const expectations = [
    {
      what: `outcome is ${options.expect === 'promote' ? 'promoted' : 'rolled back'} (got ${rollout.outcome})`,
      ok: (options.expect === 'promote') === (rollout.outcome === 'promoted'),
    },
    {
      what: `client requests failed: ${clients.failed} of ${clients.requests} (${(clients.failedFraction * 100).toFixed(2)} %), below ${slo.errorRate * 100} %`,
      ok: clients.requests > 0 && clients.failedFraction < slo.errorRate,
    },
  ];
  if (options.expect === 'rollback') {
    expectations.push({
      what: `rolled back at the ${firstStep} % step (got ${rollout.failedAtPercent ?? 'none'})`,
      ok: rollout.failedAtPercent === firstStep,
    });
  }
  return expectations;
}
