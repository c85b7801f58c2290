/**
 * The CDKTF app: for every environment, `platform-<env>` and `inference-<env>` (which depends on the former).
 * Policy checks attach here as an Aspect (policies/), so `cdktf synth` fails on a violation.
 */
import { App } from 'cdktf';
import { applyPolicies } from '../policies/aspect.js';
import { InferenceStack } from './app/inference-stack.js';
import { PlatformStack } from './app/platform-stack.js';
import { environmentNames, loadEnvironment, type EnvironmentConfig } from './environments/index.js';

export interface BuildAppOptions {
  /** Output directory (default `cdktf.out`, or what the cdktf CLI passes in CDKTF_OUTDIR). */
  readonly outdir?: string;
  /** Environments to build (default: all, validated from stacks/environments). */
  readonly environments?: readonly EnvironmentConfig[];
}

export function buildApp(options: BuildAppOptions = {}): App {
  const app = new App({ outdir: options.outdir, skipValidation: false });
  const envs = options.environments ?? environmentNames.map((name) => loadEnvironment(name));
  for (const env of envs) {
    const platform = new PlatformStack(app, `platform-${env.name}`, env);
    new InferenceStack(app, `inference-${env.name}`, { platform });
  }
  // Every stack runs the policy rules at synth time; a violation fails synth (docs/policies.md).
  applyPolicies(app);
  return app;
}
