/**
 * Live histograms of one model version's inputs and outputs over its drift profile's bins.
 *
 * The hot path only adds to typed arrays; the Prometheus counter takes the pending counts when it is scraped
 * (prom-client `collect`), so a request costs a few binary searches and no label lookups. The counters are
 * cumulative; the rolling window is the PromQL `increase(...[window])` the drift rule and dashboard use.
 */
import type { Counter, Gauge } from 'prom-client';
import type { HostTensor, InferResponseOutput } from '../protocol/types.js';
import { featureValues, type FeatureTensor } from './features.js';
import { binOf, type DriftFeature, type DriftProfile } from './profile.js';

type DriftLabels = 'model' | 'version' | 'feature' | 'bin';

export interface DriftInstruments {
  readonly observations: Pick<Counter<DriftLabels>, 'inc' | 'remove'>;
  readonly reference: Pick<Gauge<DriftLabels>, 'set' | 'remove'>;
}

interface FeatureState {
  readonly feature: DriftFeature;
  readonly pending: Float64Array;
}

export class VersionMonitor {
  private readonly states: FeatureState[];

  constructor(
    readonly profile: DriftProfile,
    private readonly instruments: DriftInstruments,
  ) {
    this.states = profile.features.map((feature) => ({ feature, pending: new Float64Array(feature.edges.length + 1) }));
    // Every bin exported from the start (observations at 0): increase() then sees a bin's first values, and the
    // rule's bin-by-bin join finds the empty bins too.
    this.forEachBin((labels, state, bin) => {
      instruments.reference.set(labels, state.feature.reference[bin] ?? 0);
      instruments.observations.inc(labels, 0);
    });
  }

  /**
   * Counts a validated request's inputs. Call before it is queued: the batcher may hand the request's own buffers to
   * the worker thread (transferred, so empty on this side afterwards).
   */
  observeInputs(inputs: readonly HostTensor[]): void {
    this.observe(false, inputs);
  }

  /** Counts the outputs an answer holds (the outputs the caller asked for). */
  observeOutputs(outputs: readonly InferResponseOutput[]): void {
    this.observe(true, outputs);
  }

  private observe(outputs: boolean, tensors: ReadonlyArray<HostTensor | InferResponseOutput>): void {
    for (const state of this.states) {
      const { feature, pending } = state;
      if ((feature.kind === 'output_argmax') !== outputs) continue;
      const tensor = tensors.find((t) => t.name === feature.tensor);
      // BYTES tensors (text of generative models) have no numeric profile.
      if (tensor === undefined || tensor.datatype === 'BYTES') continue;
      const edges = feature.edges;
      // Checked above: a numeric tensor, whose data is numbers.
      featureValues(feature.kind, tensor as FeatureTensor, (value) => {
        pending[binOf(edges, value)]! += 1;
      });
    }
  }

  /** Moves pending counts into the counter (called at scrape time). */
  flush(): void {
    this.forEachBin((labels, state, bin) => {
      const n = state.pending[bin] ?? 0;
      if (n > 0) {
        this.instruments.observations.inc(labels, n);
        state.pending[bin] = 0;
      }
    });
  }

  /** Removes the version's series (the version was retired or its profile replaced). */
  remove(): void {
    this.forEachBin((labels) => {
      this.instruments.observations.remove(labels);
      this.instruments.reference.remove(labels);
    });
  }

  private forEachBin(call: (labels: Record<DriftLabels, string>, state: FeatureState, bin: number) => void): void {
    for (const state of this.states) {
      for (let bin = 0; bin <= state.feature.edges.length; bin++) {
        call({ model: this.profile.model, version: String(this.profile.version), feature: state.feature.name, bin: String(bin) }, state, bin);
      }
    }
  }
}
