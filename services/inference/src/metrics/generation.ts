/**
 * Text-generation instruments {model, version}: time to first token and inter-token latency histograms, prompt
 * and generated token counters, and gauges read from each engine's stats() at scrape time (active sequences,
 * queue depth, KV-cache use), so they are exact when Prometheus looks and cost nothing between scrapes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GenerationStats } from '../generation/types.js';
import { interTokenLatencyBucketsSeconds, metricNames, timeToFirstTokenBucketsSeconds } from './names.js';

type ModelLabels = 'model' | 'version';

export interface GenerationMetrics {
  readonly timeToFirstToken: Histogram<ModelLabels>;
  readonly interTokenLatency: Histogram<ModelLabels>;
  readonly promptTokens: Counter<ModelLabels>;
  readonly generatedTokens: Counter<ModelLabels>;
  /** Where the gauges read the served engines at scrape time (the app sets it once its registry exists). */
  watch(engines: () => Iterable<EngineStatsSource>): void;
}

export interface EngineStatsSource {
  readonly model: string;
  readonly version: string;
  stats(): GenerationStats;
}

export function createGenerationMetrics(registers: Registry[]): GenerationMetrics {
  const labelNames: ModelLabels[] = ['model', 'version'];
  let sources: () => Iterable<EngineStatsSource> = () => [];
  const gauge = (name: string, help: string, read: (s: GenerationStats) => number): Gauge<ModelLabels> =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const source of sources()) this.set({ model: source.model, version: source.version }, read(source.stats()));
      },
    });
  gauge(metricNames.activeSequences, 'Sequences in the running continuous batch.', (s) => s.activeSequences);
  gauge(metricNames.generateQueueDepth, 'Generate requests waiting for KV-cache room.', (s) => s.queueDepth);
  gauge(metricNames.kvCacheUsage, 'Fraction (0–1) of the KV-cache token budget in use.', (s) =>
    s.kvCacheCapacityTokens > 0 ? s.kvCacheUsedTokens / s.kvCacheCapacityTokens : 0,
  );
  return {
    timeToFirstToken: new Histogram({
      name: metricNames.timeToFirstToken,
      help: 'Seconds from a generate request arriving to its first generated token being sent.',
      labelNames,
      buckets: timeToFirstTokenBucketsSeconds,
      registers,
    }),
    interTokenLatency: new Histogram({
      name: metricNames.interTokenLatency,
      help: 'Seconds between consecutive generated tokens of one sequence.',
      labelNames,
      buckets: interTokenLatencyBucketsSeconds,
      registers,
    }),
    promptTokens: new Counter({ name: metricNames.promptTokens, help: 'Prompt tokens of admitted generate requests.', labelNames, registers }),
    generatedTokens: new Counter({ name: metricNames.generatedTokens, help: 'Tokens generated.', labelNames, registers }),
    watch(engines) {
      sources = engines;
    },
  };
}
