import { describe, expect, it } from 'vitest';
import '../../test/matchers.js';
import { slo } from '../../../policies/slo.js';
import { byName, manifest, resources, stack } from '../../test/synth.js';
import { alertRuleGroups } from './alert-rules.js';
import { dashboardPanels, inferenceDashboard } from './dashboard.js';

const inference = stack('inference-staging');
const platform = stack('platform-staging');

describe('service monitoring', () => {
  it('scrapes the metrics port (9000) of both tracks and copies the track label onto series', () => {
    const monitor = manifest(inference, 'ServiceMonitor');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    expect(monitor.spec.podTargetLabels).toEqual(['track']);
    const metricsPort = byName(inference, 'kubernetes_service_v1', 'inference-canary').spec.port.find((p: { name: string }) => p.name === 'metrics');
    expect(metricsPort.port).toBe(9000);
  });

  it('puts exactly alertRuleGroups() into the PrometheusRule, thresholds read from the SLO file', () => {
    const rule = manifest(inference, 'PrometheusRule');
    expect(rule.spec.groups).toEqual(JSON.parse(JSON.stringify(alertRuleGroups())));
    const latency = rule.spec.groups[0].rules.find((r: { alert: string }) => r.alert === 'InferenceLatencyP95High');
    expect(latency.expr.endsWith(`> ${slo.alertLatencyP95Ms / 1000}`)).toBe(true);
    expect(latency.for).toBe(`${slo.alertForMinutes}m`);
  });

  it('provisions the dashboard through the Grafana sidecar label', () => {
    const cm = byName(inference, 'kubernetes_config_map_v1', 'inference-dashboard');
    expect(cm.metadata).toMatchObject({ namespace: 'monitoring', labels: { grafana_dashboard: '1' } });
    expect(JSON.parse(cm.data['inference.json']).uid).toBe('vertical-inference');
  });
});

describe('the dashboard', () => {
  it('covers latency, throughput, batch size, queue depth, cache, GPU and container panels', () => {
    const titles = dashboardPanels().map((p) => p.title).join(' | ');
    for (const word of ['p95', 'Time to first token', 'Inter-token latency', 'Tokens per second', 'Active sequences', 'KV-cache', 'Throughput', 'Batch size', 'Queue depth', 'Cache hit', 'GPU utilization', 'GPU memory', 'CPU', 'memory', 'Network']) {
      expect(titles).toContain(word);
    }
  });

  it('draws the SLO and the alert threshold on the latency panel', () => {
    const latency = (inferenceDashboard().panels as any[])[0];
    const steps = latency.fieldConfig.defaults.thresholds.steps.map((s: { value: number | null }) => s.value);
    expect(steps).toEqual([null, slo.latencyP95Ms / 1000, slo.alertLatencyP95Ms / 1000]);
  });
});

describe('platform observability', () => {
  const releases = resources(platform, 'helm_release') as { chart: string; version: string; values: string[]; repository: string }[];
  const release = (chart: string) => {
    const r = releases.find((x) => x.chart === chart);
    if (!r) throw new Error(chart);
    return r;
  };

  it('pins kube-prometheus-stack and prometheus-adapter exactly, from https', () => {
    expect(release('kube-prometheus-stack')).toMatchObject({ version: '88.6.0', repository: 'https://prometheus-community.github.io/helm-charts' });
    expect(release('prometheus-adapter').version).toBe('5.3.0');
  });

  it('selects ServiceMonitors and rules from every namespace and reads the Grafana password from a Secret', () => {
    const values = release('kube-prometheus-stack').values[0];
    expect(values).toContain('serviceMonitorSelectorNilUsesHelmValues: false');
    expect(values).toContain('ruleSelectorNilUsesHelmValues: false');
    expect(values).toContain('existingSecret: grafana-admin');
    expect(values).not.toContain('adminPassword');
  });

  it('serves inference_queue_depth, active sequences and KV-cache use to the HPAs through the adapter', () => {
    const values = release('prometheus-adapter').values[0];
    expect(values).toContain('as: inference_queue_depth');
    expect(values).toContain('as: inference_generate_active_sequences');
    expect(values).toContain('as: inference_generate_kv_cache_usage_ratio');
    // A ratio is not summed across a pod's models: 0.6 + 0.6 would read as an overfull cache.
    expect(values).toMatch(/metricsQuery: max\(<<\.Series>>\{<<\.LabelMatchers>>\}\) by \(<<\.GroupBy>>\)/);
  });

  it('installs the GPU operator with the DCGM exporter after the Prometheus CRDs', () => {
    const gpu = resources(platform, 'helm_release').find((r: any) => r.chart === 'gpu-operator') as any;
    expect(gpu.version).toBe('v26.3.3');
    expect(gpu.values[0]).toMatch(/dcgmExporter:\n\s+enabled: true\n\s+serviceMonitor:\n\s+enabled: true/);
    expect(gpu.depends_on).toContainEqual(expect.stringMatching(/^helm_release\.observability_kube-prometheus-stack_release_/));
  });
});
