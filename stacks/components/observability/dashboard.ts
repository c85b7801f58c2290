/**
 * The service's Grafana dashboard as code (dashboard JSON model, schemaVersion 39), provisioned through the
 * Grafana sidecar (ConfigMap labelled `grafana_dashboard`). Queries come from the metric-name contract and
 * policies/queries.ts; the latency panel draws the SLO and the alert threshold from policies/slo.ts.
 */
import { slo } from '../../../policies/slo.js';
import { driftPsiQuery, errorRateQuery, p95InterTokenLatencyQuery, p95LatencyQuery, p95TimeToFirstTokenQuery } from '../../../policies/queries.js';
import { metricNames, trackLabel } from '../../../services/inference/src/metrics/names.js';

interface Target {
  readonly expr: string;
  readonly legendFormat: string;
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly targets: readonly Target[];
  /** Horizontal threshold lines (value in the panel's unit, colour). */
  readonly thresholds?: readonly { value: number; color: string }[];
}

const window = '5m';
const byTrack = `sum by (le, ${trackLabel})`;
const quantileOf = (metric: string) => (q: number) =>
  `histogram_quantile(${q}, ${byTrack} (rate(${metric}_bucket[${window}])))`;
const quantile = quantileOf(metricNames.requestDuration);
const ttft = quantileOf(metricNames.timeToFirstToken);
const itl = quantileOf(metricNames.interTokenLatency);
const byModel = `sum by (model, ${trackLabel})`;

/** Text generation: what a streaming user feels (TTFT, pace), then the continuous batch and its KV cache. */
function generationPanels(): Panel[] {
  const g = slo.generation;
  return [
    {
      title: 'Time to first token p50 / p95 by track',
      unit: 's',
      targets: [
        { expr: ttft(0.5), legendFormat: `p50 {{${trackLabel}}}` },
        { expr: ttft(0.95), legendFormat: `p95 {{${trackLabel}}}` },
        { expr: p95TimeToFirstTokenQuery('', window), legendFormat: 'p95 all' },
      ],
      thresholds: [
        { value: g.ttftP95Ms / 1000, color: 'orange' },
        { value: g.alertTtftP95Ms / 1000, color: 'red' },
      ],
    },
    {
      title: 'Inter-token latency p50 / p95 by track',
      unit: 's',
      targets: [
        { expr: itl(0.5), legendFormat: `p50 {{${trackLabel}}}` },
        { expr: itl(0.95), legendFormat: `p95 {{${trackLabel}}}` },
        { expr: p95InterTokenLatencyQuery('', window), legendFormat: 'p95 all' },
      ],
      thresholds: [
        { value: g.itlP95Ms / 1000, color: 'orange' },
        { value: g.alertItlP95Ms / 1000, color: 'red' },
      ],
    },
    {
      title: 'Tokens per second (generated / prompt)',
      unit: 'short',
      targets: [
        { expr: `${byModel} (rate(${metricNames.generatedTokens}[${window}]))`, legendFormat: `generated {{model}} {{${trackLabel}}}` },
        { expr: `${byModel} (rate(${metricNames.promptTokens}[${window}]))`, legendFormat: `prompt {{model}} {{${trackLabel}}}` },
      ],
    },
    {
      title: 'Active sequences and waiting requests',
      unit: 'short',
      targets: [
        { expr: `sum by (pod) (${metricNames.activeSequences})`, legendFormat: 'active {{pod}}' },
        { expr: `sum by (pod) (${metricNames.generateQueueDepth})`, legendFormat: 'waiting {{pod}}' },
      ],
    },
    {
      title: 'KV-cache use',
      unit: 'percentunit',
      targets: [{ expr: `max by (pod, model) (${metricNames.kvCacheUsage})`, legendFormat: '{{pod}} {{model}}' }],
      thresholds: [{ value: 0.9, color: 'orange' }],
    },
  ];
}

/** Panels in reading order: user-facing first, then generation, the batcher, the cache, the GPU, the container. */
export function dashboardPanels(): Panel[] {
  return [
    {
      title: 'Latency p50 / p95 / p99 by track',
      unit: 's',
      targets: [
        { expr: quantile(0.5), legendFormat: `p50 {{${trackLabel}}}` },
        { expr: quantile(0.95), legendFormat: `p95 {{${trackLabel}}}` },
        { expr: quantile(0.99), legendFormat: `p99 {{${trackLabel}}}` },
        { expr: p95LatencyQuery('', window), legendFormat: 'p95 all' },
      ],
      thresholds: [
        { value: slo.latencyP95Ms / 1000, color: 'orange' },
        { value: slo.alertLatencyP95Ms / 1000, color: 'red' },
      ],
    },
    {
      title: 'Throughput by status',
      unit: 'reqps',
      targets: [{ expr: `sum by (status, ${trackLabel}) (rate(${metricNames.requests}[${window}]))`, legendFormat: `{{status}} {{${trackLabel}}}` }],
    },
    {
      title: 'Error rate (5xx)',
      unit: 'percentunit',
      targets: [{ expr: errorRateQuery('', window), legendFormat: 'error rate' }],
      thresholds: [{ value: slo.errorRate, color: 'red' }],
    },
    ...generationPanels(),
    {
      title: 'Batch size (mean)',
      unit: 'short',
      targets: [
        {
          expr: `sum(rate(${metricNames.batchSize}_sum[${window}])) / sum(rate(${metricNames.batchSize}_count[${window}]))`,
          legendFormat: 'mean batch',
        },
      ],
    },
    {
      title: 'Queue depth',
      unit: 'short',
      targets: [{ expr: `sum by (pod) (${metricNames.queueDepth})`, legendFormat: '{{pod}}' }],
    },
    {
      title: 'Cache hit ratio',
      unit: 'percentunit',
      targets: [
        {
          expr: `sum(rate(${metricNames.cacheHits}[${window}])) / (sum(rate(${metricNames.cacheHits}[${window}])) + sum(rate(${metricNames.cacheMisses}[${window}])))`,
          legendFormat: 'hit ratio',
        },
      ],
    },
    {
      title: 'GPU utilization',
      unit: 'percent',
      targets: [{ expr: 'avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)', legendFormat: '{{Hostname}} gpu{{gpu}}' }],
    },
    {
      title: 'GPU memory used',
      unit: 'percentunit',
      targets: [
        { expr: 'DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)', legendFormat: '{{Hostname}} gpu{{gpu}}' },
      ],
    },
    {
      title: 'Container CPU',
      unit: 'short',
      targets: [
        { expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{container="inference"}[${window}]))`, legendFormat: '{{pod}}' },
      ],
    },
    {
      title: 'Container memory',
      unit: 'bytes',
      targets: [{ expr: 'sum by (pod) (container_memory_working_set_bytes{container="inference"})', legendFormat: '{{pod}}' }],
    },
    {
      title: 'Network',
      unit: 'Bps',
      targets: [
        { expr: `sum by (pod) (rate(container_network_receive_bytes_total{pod=~"inference-.*"}[${window}]))`, legendFormat: 'rx {{pod}}' },
        { expr: `sum by (pod) (rate(container_network_transmit_bytes_total{pod=~"inference-.*"}[${window}]))`, legendFormat: 'tx {{pod}}' },
      ],
    },
  ];
}

/**
 * The per-model pair, repeated by Grafana for every value of the `model` variable: latency of that model beside
 * the population stability index of each of its drift features, with the alert line from slo.drift.
 */
export function modelPanels(): Panel[] {
  // =~: the variable is multi-value, and Grafana expands several models to a regex alternation.
  const model = 'model=~"$model"';
  const driftWindow = `${slo.drift.windowMinutes}m`;
  return [
    {
      title: 'Latency p50 / p95 — $model',
      unit: 's',
      targets: [0.5, 0.95].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (le, version) (rate(${metricNames.requestDuration}_bucket{${model}}[${window}])))`,
        legendFormat: `p${q * 100} v{{version}}`,
      })),
      thresholds: [{ value: slo.latencyP95Ms / 1000, color: 'orange' }],
    },
    {
      title: `Drift (PSI over ${driftWindow}) — $model`,
      unit: 'short',
      targets: [{ expr: driftPsiQuery(driftWindow, model), legendFormat: 'v{{version}} {{feature}}' }],
      thresholds: [{ value: slo.drift.psiAlert, color: 'red' }],
    },
  ];
}

function timeseries(panel: Panel, id: number, gridPos: { h: number; w: number; x: number; y: number }): Record<string, unknown> {
  return {
    id,
    type: 'timeseries',
    title: panel.title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos,
    fieldConfig: {
      defaults: {
        unit: panel.unit,
        custom: panel.thresholds ? { thresholdsStyle: { mode: 'line' } } : {},
        thresholds: {
          mode: 'absolute',
          steps: [{ value: null, color: 'green' }, ...(panel.thresholds ?? [])],
        },
      },
      overrides: [],
    },
    targets: panel.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legendFormat })),
  };
}

/** Grafana dashboard JSON model; two panels per row, 8 units high; then one repeated row per model. */
export function inferenceDashboard(): Record<string, unknown> {
  const overview = dashboardPanels().map((panel, i) => timeseries(panel, i + 1, { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 }));
  const y = Math.ceil(overview.length / 2) * 8;
  const perModel = modelPanels().map((panel, i) => timeseries(panel, overview.length + 2 + i, { h: 8, w: 12, x: i * 12, y: y + 1 }));
  const panels = [
    ...overview,
    { id: overview.length + 1, type: 'row', title: 'Model $model', repeat: 'model', collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] },
    ...perModel,
  ];
  return {
    uid: 'vertical-inference',
    title: 'Vertical inference service',
    tags: ['inference', 'slo'],
    schemaVersion: 39,
    refresh: '30s',
    time: { from: 'now-3h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        {
          name: 'model',
          label: 'Model',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: { query: `label_values(${metricNames.requests}, model)`, refId: 'model' },
          definition: `label_values(${metricNames.requests}, model)`,
          refresh: 2,
          multi: true,
          includeAll: true,
          current: { text: 'All', value: '$__all' },
        },
      ],
    },
    panels,
  };
}
