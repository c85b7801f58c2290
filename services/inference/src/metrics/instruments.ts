/**
 * The service's Prometheus instruments, created once per registry from the name contract in names.ts.
 *
 * A fresh Registry per app instance (rather than prom-client's global one) keeps tests that build several apps in
 * one process from colliding on "metric already registered".
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createGenerationMetrics, type GenerationMetrics } from './generation.js';
import { batchSizeBuckets, latencyBucketsSeconds, metricNames } from './names.js';

type ModelLabels = 'model' | 'version';

export interface InferenceMetrics {
  readonly registry: Registry;
  readonly requests: Counter<ModelLabels | 'status'>;
  readonly requestDuration: Histogram<ModelLabels>;
  readonly queueDuration: Histogram<ModelLabels>;
  readonly computeDuration: Histogram<ModelLabels>;
  readonly batchSize: Histogram<ModelLabels>;
  readonly queueDepth: Gauge<ModelLabels>;
  readonly inflight: Gauge;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly cacheErrors: Counter<'operation'>;
  readonly grpcRequests: Counter<'method' | 'code'>;
  readonly workerRestarts: Counter;
  readonly modelReady: Gauge<ModelLabels>;
  readonly rejected: Counter<'reason'>;
  readonly authFailures: Counter<'reason'>;
  readonly faultsInjected: Counter<'kind'>;
  readonly draining: Gauge;
  /** Text generation: TTFT, inter-token latency, tokens, active sequences, queue depth, KV-cache use. */
  readonly generation: GenerationMetrics;
  /** Tenant usage counters (src/usage): requests, items, compute seconds, prompt and completion tokens. */
  readonly tenantUsage: Readonly<Record<'requests' | 'items' | 'computeSeconds' | 'promptTokens' | 'completionTokens', Counter<TenantLabels>>>;
  /** Drift histograms (src/drift): live observations per profile bin, and the profile's reference fractions. */
  readonly driftObservations: Counter<DriftLabels>;
  readonly driftReference: Gauge<DriftLabels>;
  /** Run before each scrape of driftObservations: the drift monitors move their pending counts into it. */
  readonly beforeDriftScrape: Set<() => void>;
}

type DriftLabels = ModelLabels | 'feature' | 'bin';

type TenantLabels = 'tenant' | ModelLabels;

export interface MetricsOptions {
  /** Also export process_* and nodejs_* metrics (CPU, RSS, heap, event-loop lag, GC). Default true. */
  readonly processMetrics?: boolean;
}

function tenantCounter(name: string, help: string, registers: Registry[]): Counter<TenantLabels> {
  return new Counter({ name, help, labelNames: ['tenant', 'model', 'version'], registers });
}

export function createMetrics(options: MetricsOptions = {}): InferenceMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const modelLabels: ModelLabels[] = ['model', 'version'];
  const beforeDriftScrape = new Set<() => void>();
  const metrics: InferenceMetrics = {
    registry,
    requests: new Counter({
      name: metricNames.requests,
      help: 'Inference requests by model, version and HTTP status code.',
      labelNames: [...modelLabels, 'status'],
      registers,
    }),
    requestDuration: new Histogram({
      name: metricNames.requestDuration,
      help: 'Inference request latency in seconds, from the first byte received to the reply sent.',
      labelNames: modelLabels,
      buckets: latencyBucketsSeconds,
      registers,
    }),
    queueDuration: new Histogram({
      name: metricNames.queueDuration,
      help: 'Time a request waited in the dynamic batcher queue, in seconds.',
      labelNames: modelLabels,
      buckets: latencyBucketsSeconds,
      registers,
    }),
    computeDuration: new Histogram({
      name: metricNames.computeDuration,
      help: 'Duration of session.run for an executed batch, in seconds.',
      labelNames: modelLabels,
      buckets: latencyBucketsSeconds,
      registers,
    }),
    batchSize: new Histogram({
      name: metricNames.batchSize,
      help: 'Number of requests combined in an executed batch.',
      labelNames: modelLabels,
      buckets: batchSizeBuckets,
      registers,
    }),
    queueDepth: new Gauge({
      name: metricNames.queueDepth,
      help: 'Requests waiting in the batcher queue.',
      labelNames: modelLabels,
      registers,
    }),
    inflight: new Gauge({ name: metricNames.inflight, help: 'Inference requests being handled.', registers }),
    cacheHits: new Counter({ name: metricNames.cacheHits, help: 'Result cache hits.', registers }),
    cacheMisses: new Counter({ name: metricNames.cacheMisses, help: 'Result cache misses.', registers }),
    cacheErrors: new Counter({
      name: metricNames.cacheErrors,
      help: 'Result cache store failures (timeout, Redis down, undecryptable value); the request is served uncached.',
      labelNames: ['operation'],
      registers,
    }),
    grpcRequests: new Counter({
      name: metricNames.grpcRequests,
      help: 'gRPC calls by RPC method and gRPC status code.',
      labelNames: ['method', 'code'],
      registers,
    }),
    workerRestarts: new Counter({
      name: metricNames.workerRestarts,
      help: 'Worker threads replaced after dying.',
      registers,
    }),
    modelReady: new Gauge({
      name: metricNames.modelReady,
      help: '1 when the model version is loaded and warmed up, else 0.',
      labelNames: modelLabels,
      registers,
    }),
    rejected: new Counter({
      name: metricNames.rejected,
      help: 'Requests refused before inference, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    authFailures: new Counter({
      name: metricNames.authFailures,
      help: 'Requests refused by authentication or authorization, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    faultsInjected: new Counter({
      name: metricNames.faultsInjected,
      help: 'Faults injected for a rehearsal (FAULT_DELAY_MS, FAULT_ERROR_RATE), by kind.',
      labelNames: ['kind'],
      registers,
    }),
    draining: new Gauge({ name: metricNames.draining, help: '1 while draining after SIGTERM.', registers }),
    generation: createGenerationMetrics(registers),
    tenantUsage: {
      requests: tenantCounter(metricNames.tenantRequests, 'Inference calls by tenant (unlisted tenants as "other").', registers),
      items: tenantCounter(metricNames.tenantItems, 'Batch rows (items) served by tenant, cache hits included.', registers),
      computeSeconds: tenantCounter(metricNames.tenantComputeSeconds, 'Worker compute seconds by tenant: each batch split among its requests by rows.', registers),
      promptTokens: tenantCounter(metricNames.tenantPromptTokens, 'Prompt tokens of generate calls by tenant.', registers),
      completionTokens: tenantCounter(metricNames.tenantCompletionTokens, 'Generated tokens by tenant.', registers),
    },
    driftObservations: new Counter({
      name: metricNames.driftObservations,
      help: "Live observations per bin of the model version's drift profile (feature = <tensor>.<what>).",
      labelNames: [...modelLabels, 'feature', 'bin'],
      registers,
      collect() {
        for (const flush of beforeDriftScrape) flush();
      },
    }),
    driftReference: new Gauge({
      name: metricNames.driftReference,
      help: "Reference fraction of each bin in the model version's drift profile (sums to 1 per feature).",
      labelNames: [...modelLabels, 'feature', 'bin'],
      registers,
    }),
    beforeDriftScrape,
  };
  // Counters without labels are exported from the first scrape at 0, so rate() works before the first event.
  metrics.draining.set(0);
  metrics.inflight.set(0);
  return metrics;
}
