import type { OrtElementType, TypedArray } from '../protocol/datatypes.js';
import type { DecoderLayout, LayoutHints } from '../generation/decoder-layout.js';
import type { FinishReason, SamplingParams } from '../generation/types.js';
import type { ExecutionProviderSpec } from '../model-repository/model-config.js';

/** A tensor crossing the thread boundary; `data.buffer` goes in the transfer list, so it is moved, not copied. */
export interface WireTensor {
  readonly name: string;
  readonly type: OrtElementType;
  readonly dims: readonly number[];
  readonly data: TypedArray;
}

/** What a worker needs to open one model version. */
export interface SessionSpec {
  /** `<model>:<version>`, the key runs refer to. */
  readonly key: string;
  readonly file: string;
  /** When set, the file's SHA-256 must match before the bytes reach ONNX Runtime. */
  readonly expectedSha256?: string;
  readonly executionProviders: readonly ExecutionProviderSpec[];
  readonly gpuRequired: boolean;
  readonly intraOpThreads: number;
  /** Rows of the warm-up batch (for batchable models) and the size given to other dynamic axes. */
  readonly warmupBatch: number;
  readonly warmupDynamicDim: number;
  /** Set when the version folder holds tokenizer.json: if the graph is a decoder with past, a decode loop serves it. */
  readonly generation?: GenerationSpec;
  /** Why the Hugging Face files beside model.onnx cannot drive generation; the load fails with it if the graph is a decoder. */
  readonly generationProblem?: string;
}

/** Scheduler settings of one worker's decode loop, and what config.json says about the graph. */
export interface GenerationSpec {
  readonly hints: LayoutHints;
  readonly contextLength: number;
  /** Sequences in one worker's running batch at most (the main thread never sends more). */
  readonly maxSequences: number;
  /** Prompt tokens prefilled per loop iteration at most, so running streams wait no longer than that for a step. */
  readonly prefillChunkTokens: number;
}

/** One generate request as the worker runs it. */
export interface SequenceRequest {
  readonly seqId: number;
  readonly promptIds: readonly number[];
  readonly params: SamplingParams;
  /** The sampling seed (the main thread draws one when the request has none). */
  readonly seed: number;
  readonly stopTokenIds: readonly number[];
}

/** What one loop iteration did for one sequence: new tokens, and when it ended, how. */
export interface SequenceEvent {
  readonly seqId: number;
  readonly tokens: readonly number[];
  readonly done?: { readonly finishReason: FinishReason; readonly completionTokens: number; readonly computeMs: number };
  /** The sequence failed (its run threw, the model was unloaded, the worker died); it is gone. */
  readonly error?: string;
}

/** Tensor metadata as ONNX Runtime reports it: dims are numbers, or strings / -1 for dynamic axes. */
export interface WireValueMetadata {
  readonly name: string;
  readonly type: string;
  readonly shape: ReadonlyArray<number | string>;
}

export type ToWorker =
  | { readonly kind: 'load'; readonly taskId: number; readonly spec: SessionSpec }
  | {
      readonly kind: 'run';
      readonly taskId: number;
      readonly key: string;
      readonly inputs: readonly WireTensor[];
      /** Rows each request contributed; on a failed batch the worker retries each slice on its own. */
      readonly rows: readonly number[];
    }
  | { readonly kind: 'unload'; readonly key: string }
  | { readonly kind: 'generate'; readonly key: string; readonly request: SequenceRequest }
  | { readonly kind: 'generate-cancel'; readonly key: string; readonly seqId: number }
  /**
   * Test hook, honoured only when the pool was created with `allowExitMessage`: exit the thread now, or on
   * receiving the next run (a crash in the middle of a request).
   */
  | { readonly kind: 'exit'; readonly code: number; readonly duringNextRun: boolean };

export interface LoadedReply {
  readonly kind: 'loaded';
  readonly taskId: number;
  readonly inputs: readonly WireValueMetadata[];
  readonly outputs: readonly WireValueMetadata[];
  readonly provider: string;
  readonly warnings: readonly string[];
  /**
   * Best of three timed warm-up runs after the first (which pays one-off costs such as TensorRT engine builds); for
   * a decoder, best of two warm-up generations (an 8-token prompt, 4 greedy tokens) after the first.
   */
  readonly warmupMs: number;
  /** SHA-256 (hex) of the model bytes this worker loaded: the model's fingerprint. */
  readonly sha256: string;
  /** Present when the version is served by a decode loop (spec.generation given and the graph is a decoder). */
  readonly generative?: { readonly layout: DecoderLayout };
}

export type SliceResult = { readonly outputs: readonly WireTensor[] } | { readonly error: string };

export type FromWorker =
  | LoadedReply
  /** startedAtMs: epoch ms when the worker began the run (performance.timeOrigin + now(), for the worker.compute span). */
  | { readonly kind: 'result'; readonly taskId: number; readonly outputs: readonly WireTensor[]; readonly computeMs: number; readonly startedAtMs: number }
  /** The batch failed as a whole; each request's slice was run alone. */
  | { readonly kind: 'partial'; readonly taskId: number; readonly slices: readonly SliceResult[]; readonly computeMs: number; readonly startedAtMs: number }
  | { readonly kind: 'error'; readonly taskId: number; readonly message: string; readonly integrity?: { readonly expected: string; readonly actual: string } }
  /** One decode-loop iteration's news, every sequence that had some, in one message. */
  | { readonly kind: 'generate-events'; readonly key: string; readonly events: readonly SequenceEvent[] };

/** Transfer list for tensors: each distinct underlying buffer once. */
export function transferList(tensors: readonly WireTensor[]): ArrayBuffer[] {
  return [...new Set(tensors.map((t) => t.data.buffer as ArrayBuffer))];
}
