/**
 * Command-line settings of the rollout driver. Cluster names default to what the stacks create
 * (stacks/components/{namespaces,gateway,inference}), the gateway URL and kube context to the environment's data
 * (stacks/environments/<env>.ts), timings to policies/slo.ts; flags override each.
 */
import { parseArgs } from 'node:util';
import { slo } from '../../policies/slo.js';
import { serviceName } from '../../stacks/components/inference/index.js';
import { namespaces } from '../../stacks/components/namespaces/names.js';
import { inferenceContainerName } from '../../stacks/components/observability/alert-rules.js';
import { loadEnvironment } from '../../stacks/environments/index.js';
import type { KubernetesShifterOptions } from './shifters/kubernetes.js';

export interface RolloutCliOptions {
  readonly environment: string;
  readonly gatewayUrl: string;
  readonly prometheusUrl: string;
  readonly model: string;
  /** Generative model the gate also streams to (`--generate-model`, default the environment's); absent: no TTFT checks. */
  readonly generateModel?: string;
  /** From the ROLLOUT_TOKEN environment variable (a JWT with scope `infer models:read`), never a flag. */
  readonly token: string;
  readonly windowSeconds: number;
  readonly gateRate: number;
  readonly settleSeconds: number;
  readonly verifyBeforeFirstExposure: boolean;
  readonly reportDir: string;
  readonly kubernetes: KubernetesShifterOptions;
}

export const rolloutUsage = `usage: npm run rollout -- --env=staging|prod --prometheus=URL [--gateway=URL] [--model=demo] [--generate-model=demo-llm]
       [--window=SECONDS] [--gate-rate=RPS] [--settle=SECONDS] [--no-verify] [--report-dir=DIR]
       [--namespace=NS] [--route=NAME] [--context=KUBE_CONTEXT]
   token for AUTH_MODE=jwt targets: environment variable ROLLOUT_TOKEN`;

function positive(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number, got "${raw}"`);
  return value;
}

export function parseRolloutArgs(argv: readonly string[], env: NodeJS.ProcessEnv): RolloutCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: 'string' },
      gateway: { type: 'string' },
      prometheus: { type: 'string' },
      model: { type: 'string', default: 'demo' },
      'generate-model': { type: 'string' },
      window: { type: 'string' },
      'gate-rate': { type: 'string' },
      settle: { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
      'report-dir': { type: 'string', default: 'rollout-report' },
      namespace: { type: 'string', default: namespaces.inference },
      route: { type: 'string', default: 'inference' },
      context: { type: 'string' },
    },
    strict: true,
  });
  if (values['generate-model'] && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(values['generate-model'])) {
    throw new Error(`--generate-model "${values['generate-model']}" is not a model name (letters, digits, '.', '_', '-')`);
  }
  if (!values.env) throw new Error('--env is required (the environment under stacks/environments to roll out in)');
  if (!values.prometheus) throw new Error('--prometheus is required (e.g. http://127.0.0.1:9090 via kubectl port-forward)');
  const environment = loadEnvironment(values.env);
  const host = environment.tls.hostnames[0];
  const gatewayUrl = values.gateway ?? (host ? `https://${host}` : undefined);
  if (!gatewayUrl) throw new Error(`--gateway is required: environment ${values.env} names no hostname`);
  // The flag overrides the environment's generative model; `--generate-model=` (empty) turns the stream checks off.
  const generateModel = values['generate-model'] ?? environment.inference.generativeModel;
  const windowSeconds = positive('window', values.window, slo.gateWindowSeconds);
  const gateRate = positive('gate-rate', values['gate-rate'], Math.ceil((slo.gateMinRequests * 2) / windowSeconds));
  return {
    environment: environment.name,
    gatewayUrl: gatewayUrl.replace(/\/+$/, ''),
    prometheusUrl: values.prometheus.replace(/\/+$/, ''),
    model: values.model ?? 'demo',
    ...(generateModel ? { generateModel } : {}),
    token: env['ROLLOUT_TOKEN'] ?? '',
    windowSeconds,
    gateRate,
    settleSeconds: positive('settle', values.settle, 30),
    verifyBeforeFirstExposure: !values['no-verify'],
    reportDir: values['report-dir'] ?? 'rollout-report',
    kubernetes: kubernetesTarget(values.context ?? environment.kubeContext, values),
  };
}

/**
 * The objects the Kubernetes shifter acts on: the names the stacks create, with `--namespace`/`--route` overrides.
 * Shared by the rollout driver and the one-command rollback so both act on the same route and Deployments.
 */
export function kubernetesTarget(
  context: string | undefined,
  overrides: { readonly namespace?: string | undefined; readonly route?: string | undefined },
): KubernetesShifterOptions {
  return {
    namespace: overrides.namespace ?? namespaces.inference,
    route: overrides.route ?? 'inference',
    stableService: serviceName('stable'),
    canaryService: serviceName('canary'),
    stableDeployment: serviceName('stable'),
    canaryDeployment: serviceName('canary'),
    container: inferenceContainerName,
    ...(context ? { context } : {}),
  };
}
