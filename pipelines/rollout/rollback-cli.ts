/**
 * `npm run rollback -- --env=prod`: the manual rollback in one command. Sets the canary weight of the environment's
 * HTTPRoute to 0 (stable serves all traffic) and waits until the route says so. Same shifter as the automatic
 * rollback; see docs/runbooks/rollback.md for when to use it and what to do next.
 */
import { parseArgs } from 'node:util';
import { loadEnvironment } from '../../stacks/environments/index.js';
import { kubernetesTarget } from './options.js';
import { KubernetesShifter } from './shifters/kubernetes.js';

try {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      namespace: { type: 'string' },
      route: { type: 'string' },
      context: { type: 'string' },
    },
    strict: true,
  });
  if (!values.env) throw new Error('--env is required, e.g. npm run rollback -- --env=prod');
  const environment = loadEnvironment(values.env);
  const context = values.context ?? environment.kubeContext;
  const shifter = new KubernetesShifter(kubernetesTarget(context, values));
  console.log(`rollback: ${shifter.description}: canary weight → 0`);
  await shifter.setCanaryWeight(0);
  await shifter.waitUntilReady(0, 60_000);
  console.log('rollback: done, stable serves all unpinned traffic');
} catch (error) {
  console.error(`rollback: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
