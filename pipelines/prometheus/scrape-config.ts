/**
 * The local Prometheus configuration: scrape each service instance's metrics port with a static `track` label,
 * the way the cluster's ServiceMonitor copies the pod label onto the series, and load the same alert rules.
 */
import { stringify } from 'yaml';
import { trackLabel } from '../../services/inference/src/metrics/names.js';

export interface ScrapeTarget {
  readonly track: 'stable' | 'canary';
  /** Loopback port of the instance's metrics listener (METRICS_PORT). */
  readonly metricsPort: number;
}

export interface PrometheusConfigOptions {
  readonly targets: readonly ScrapeTarget[];
  /** Rendered alert rule file (render-rules.ts). */
  readonly ruleFile: string;
  /** Short intervals keep a 20-second rehearsal window meaningful; the cluster scrapes every 15–30 s. */
  readonly scrapeIntervalSeconds: number;
}

export function renderPrometheusConfig(options: PrometheusConfigOptions): string {
  const interval = `${options.scrapeIntervalSeconds}s`;
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [options.ruleFile],
    scrape_configs: [
      {
        job_name: 'inference',
        static_configs: options.targets.map((t) => ({
          targets: [`127.0.0.1:${t.metricsPort}`],
          labels: { [trackLabel]: t.track },
        })),
      },
    ],
  });
}
