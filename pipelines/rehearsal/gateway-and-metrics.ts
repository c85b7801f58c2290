/**
 * The local twin of the cluster's traffic and metrics plumbing: HAProxy rendered from the route model in front of a
 * stable and a canary instance, and Prometheus scraping both with track labels and the cluster's alert rules.
 * Used by the rehearsal and by the rollout driver's tests.
 */
import { join } from 'node:path';
import { canaryPinHeader, type CanaryRouteModel } from '../../stacks/components/gateway/route-model.js';
import { renderHaproxyConfig } from '../haproxy/config.js';
import { startHaproxy } from '../haproxy/process.js';
import { freePort } from '../lib/ports.js';
import type { ProcessGroup } from '../lib/processes.js';
import { renderPrometheusConfig } from '../prometheus/scrape-config.js';
import { loadedRuleGroups, startPrometheus, waitForTargetsUp } from '../prometheus/process.js';
import { writeRuleFile } from '../prometheus/render-rules.js';
import { alertRuleGroups } from '../../stacks/components/observability/alert-rules.js';
import { HaproxyShifter } from '../rollout/shifters/haproxy.js';

export interface Instance {
  readonly apiPort: number;
  readonly metricsPort: number;
}

export interface PlumbingOptions {
  readonly group: ProcessGroup;
  /** Scratch folder for configs, sockets, logs and Prometheus data. */
  readonly dir: string;
  readonly stable: Instance;
  readonly canary: Instance;
  /** Canary weight at start; a rollout starts from 0. */
  readonly canaryWeight?: number;
  readonly scrapeIntervalSeconds?: number;
}

export interface Plumbing {
  readonly gatewayUrl: string;
  readonly prometheusUrl: string;
  readonly statsSocket: string;
  readonly route: CanaryRouteModel;
  readonly shifter: HaproxyShifter;
}

export async function startPlumbing(o: PlumbingOptions): Promise<Plumbing> {
  const route: CanaryRouteModel = {
    hostnames: ['localhost'],
    // Everything, as the cluster's HTTPRoute (stacks/components/gateway): /v2 and the OpenAI-compatible /v1.
    pathPrefix: '/',
    stable: { name: 'stable', port: o.stable.apiPort },
    canary: { name: 'canary', port: o.canary.apiPort },
    canaryWeight: o.canaryWeight ?? 0,
    pinHeader: canaryPinHeader,
  };
  const statsSocket = join(o.dir, 'haproxy-admin.sock');
  const gatewayPort = await freePort();
  await startHaproxy(o.group, o.dir, renderHaproxyConfig({ route, listenPort: gatewayPort, statsSocket, checkIntervalMs: 500 }), statsSocket);

  const ruleFile = join(o.dir, 'alert-rules.yml');
  await writeRuleFile(ruleFile);
  const prometheusConfig = renderPrometheusConfig({
    targets: [
      { track: 'stable', metricsPort: o.stable.metricsPort },
      { track: 'canary', metricsPort: o.canary.metricsPort },
    ],
    ruleFile,
    scrapeIntervalSeconds: o.scrapeIntervalSeconds ?? 1,
  });
  const prometheus = await startPrometheus(o.group, o.dir, prometheusConfig, await freePort());
  await waitForTargetsUp(prometheus.url, 2);
  const expectedGroups = alertRuleGroups().map((g) => g.name);
  const loaded = await loadedRuleGroups(prometheus.url);
  if (expectedGroups.some((name) => !loaded.includes(name))) {
    throw new Error(`Prometheus loaded rule groups [${loaded.join(', ')}], expected [${expectedGroups.join(', ')}]`);
  }

  const shifter = new HaproxyShifter({
    statsSocket,
    stableServer: route.stable.name,
    canaryServer: route.canary.name,
    canaryAddress: { host: '127.0.0.1', port: o.canary.apiPort },
  });
  await shifter.waitUntilReady(route.canaryWeight, 15_000);
  return { gatewayUrl: `http://127.0.0.1:${gatewayPort}`, prometheusUrl: prometheus.url, statsSocket, route, shifter };
}
