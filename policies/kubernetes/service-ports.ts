/**
 * The ports the inference service declares: the listeners its own settings open (services/inference/src/config.ts
 * and production/config.ts) — PORT (REST API), METRICS_PORT, and GRPC_PORT when GRPC_ENABLED is true — read from
 * the container's literal `env` values and the ConfigMaps it takes with `env_from` (an `env` entry wins, as in
 * Kubernetes), and the service's defaults for a setting set nowhere. network.service-ports-only allows only these.
 */
import { settings } from '../../services/inference/src/config.js';
import { defaultMetricsPort } from '../../services/inference/src/production/config.js';
import type { StackDoc } from '../engine/model.js';
import { block, blocks, str, stringMap } from '../engine/values.js';
import { metaOf, ofTypes, typedKinds } from './objects.js';
import type { Workload } from './workloads.js';

export interface DeclaredPorts {
  /** Port numbers by the setting that declares them, e.g. `{ PORT: 8080, METRICS_PORT: 9000 }`. */
  readonly ports: Readonly<Record<string, number>>;
  /** Settings whose value is not a literal port (a Terraform expression, a typo): the rule cannot vouch for them. */
  readonly unresolved: readonly string[];
}

/** The environment one container sees from literal values: its ConfigMaps first, its own `env` over them. */
function containerEnv(stacks: readonly StackDoc[], namespace: string, container: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of blocks(container, 'env_from')) {
    const name = str(block(from, 'config_map_ref'), 'name');
    if (name === undefined) continue;
    for (const stack of stacks) {
      for (const r of ofTypes(stack, typedKinds('config_map'))) {
        const meta = metaOf(stack, r);
        if (meta.name === name && meta.namespace === namespace) Object.assign(env, stringMap(r.attributes, 'data'));
      }
    }
  }
  for (const e of blocks(container, 'env')) {
    const name = str(e, 'name');
    const value = str(e, 'value');
    if (name !== undefined && value !== undefined) env[name] = value;
  }
  return env;
}

export function declaredPorts(stacks: readonly StackDoc[], w: Workload): DeclaredPorts {
  const env: Record<string, string> = {};
  for (const c of w.containers.filter((c) => !c.init)) Object.assign(env, containerEnv(stacks, w.namespace, c.body));
  const ports: Record<string, number> = {};
  const unresolved: string[] = [];
  const read = (name: string, fallback: number): void => {
    const raw = env[name];
    if (raw === undefined || raw === '') ports[name] = fallback;
    else if (/^\d{1,5}$/.test(raw) && Number(raw) > 0 && Number(raw) <= 65535) ports[name] = Number(raw);
    else unresolved.push(name);
  };
  read(settings.port.env, settings.port.fallback);
  read('METRICS_PORT', defaultMetricsPort);
  const grpc = settings.grpcEnabled.parse(env[settings.grpcEnabled.env] ?? String(settings.grpcEnabled.fallback));
  if (grpc === true) read(settings.grpcPort.env, settings.grpcPort.fallback);
  else if (typeof grpc === 'object') unresolved.push(settings.grpcEnabled.env);
  return { ports, unresolved };
}
