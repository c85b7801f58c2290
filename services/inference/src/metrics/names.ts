/**
 * Prometheus metric names and labels the service exports on its metrics port (9000).
 *
 * This is a contract: the alert rules and dashboards (stacks/components/observability), the canary analysis
 * (pipelines/rollout) and docs/metrics.md use these names. Query helpers live in policies/queries.ts.
 */
export const metricNames = {
  /** Counter {model, version, status}: inference requests by HTTP status code. */
  requests: 'inference_requests_total',
  /** Histogram {model, version}: request latency in seconds, from parse to reply. */
  requestDuration: 'inference_request_duration_seconds',
  /** Histogram {model, version}: time spent queued in the dynamic batcher. */
  queueDuration: 'inference_queue_duration_seconds',
  /** Histogram {model, version}: time of session.run for the batch the request was in. */
  computeDuration: 'inference_compute_duration_seconds',
  /** Histogram {model, version}: size of executed batches. */
  batchSize: 'inference_batch_size',
  /** Gauge {model, version}: requests waiting in the batcher queue. */
  queueDepth: 'inference_queue_depth',
  /** Gauge: inference requests being handled. */
  inflight: 'inference_inflight_requests',
  /** Counters: result cache outcomes. */
  cacheHits: 'inference_cache_hits_total',
  cacheMisses: 'inference_cache_misses_total',
  cacheErrors: 'inference_cache_errors_total',
  /**
   * Counter {method, code}: gRPC calls by RPC (ModelInfer, ServerReady, ...) and gRPC status code name (OK,
   * INVALID_ARGUMENT, ...). ModelInfer calls are also in inference_requests_total, under the HTTP status their code
   * maps from (docs/metrics.md), so the error-rate alert and the canary gate see both transports.
   */
  grpcRequests: 'inference_grpc_requests_total',
  /** Counter: worker threads replaced after dying. */
  workerRestarts: 'inference_worker_restarts_total',
  /** Gauge {model, version}: 1 when the version is loaded and warmed up. */
  modelReady: 'inference_model_ready',
  /** Counter {reason}: requests refused before inference (rate_limit, overload, queue_full, shutting_down, too_large). */
  rejected: 'inference_rejected_total',
  /** Counter {reason}: authentication/authorization failures (missing_token, invalid_token, insufficient_scope). */
  authFailures: 'inference_auth_failures_total',
  /** Counter {kind}: injected faults (delay, error); only non-zero during a rehearsal. */
  faultsInjected: 'inference_faults_injected_total',
  /** Gauge: 1 while the process drains after SIGTERM (readiness answers 503). */
  draining: 'inference_draining',
  /** Histogram {model, version}: seconds from request arrival to the first generated token (TTFT). */
  timeToFirstToken: 'inference_generate_time_to_first_token_seconds',
  /** Histogram {model, version}: seconds between consecutive generated tokens of one sequence (ITL). */
  interTokenLatency: 'inference_generate_inter_token_latency_seconds',
  /** Counter {model, version}: prompt tokens of admitted generate requests. */
  promptTokens: 'inference_generate_prompt_tokens_total',
  /** Counter {model, version}: tokens generated. */
  generatedTokens: 'inference_generate_generated_tokens_total',
  /** Gauge {model, version}: sequences in the running continuous batch. */
  activeSequences: 'inference_generate_active_sequences',
  /** Gauge {model, version}: generate requests waiting for KV-cache room. */
  generateQueueDepth: 'inference_generate_queue_depth',
  /** Gauge {model, version}: fraction (0–1) of the KV-cache token budget in use. */
  kvCacheUsage: 'inference_generate_kv_cache_usage_ratio',
  /** Counter {tenant, model, version}: inference calls by tenant (bounded: src/usage/tenant-labels.ts). */
  tenantRequests: 'inference_tenant_requests_total',
  /** Counter {tenant, model, version}: batch rows (items) served, cache hits included. */
  tenantItems: 'inference_tenant_items_total',
  /** Counter {tenant, model, version}: worker compute seconds, each batch's time split among its requests by rows. */
  tenantComputeSeconds: 'inference_tenant_compute_seconds_total',
  /** Counter {tenant, model, version}: prompt tokens of generate calls. */
  tenantPromptTokens: 'inference_tenant_prompt_tokens_total',
  /** Counter {tenant, model, version}: tokens generated for the tenant. */
  tenantCompletionTokens: 'inference_tenant_completion_tokens_total',
  /** Counter {model, version, feature, bin}: live observations per bin of the version's drift profile (src/drift). */
  driftObservations: 'inference_drift_observations_total',
  /** Gauge {model, version, feature, bin}: the drift profile's reference fraction of each bin (sums to 1 per feature). */
  driftReference: 'inference_drift_reference_ratio',
} as const;

/**
 * Latency histogram buckets in seconds. They must resolve the SLO (200 ms) and the alert threshold (500 ms)
 * exactly, since histogram_quantile interpolates inside a bucket.
 */
export const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10];

/** Time-to-first-token buckets: the same bounds as request latency, so they resolve 200 ms and 500 ms exactly. */
export const timeToFirstTokenBucketsSeconds = latencyBucketsSeconds;

/** Inter-token latency buckets: resolve the ITL objective (50 ms) and its alert threshold (100 ms) exactly. */
export const interTokenLatencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1];

/** Batch size histogram buckets (the batch range is 16–128, see policies/slo.ts). */
export const batchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128];

/**
 * Label that tells stable from canary pods. Kubernetes: pod label `track`, copied onto series by the
 * ServiceMonitor's podTargetLabels; local rehearsal: a static label in the Prometheus scrape config.
 */
export const trackLabel = 'track';
