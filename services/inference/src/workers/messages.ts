import type { OrtElementType, TypedArray } from '../protocol/datatypes.js';
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
  /** Best of three timed warm-up runs after the first (which pays one-off costs such as TensorRT engine builds). */
  readonly warmupMs: number;
  /** SHA-256 (hex) of the model bytes this worker loaded: the model's fingerprint. */
  readonly sha256: string;
}

export type SliceResult = { readonly outputs: readonly WireTensor[] } | { readonly error: string };

export type FromWorker =
  | LoadedReply
  /** startedAtMs: epoch ms when the worker began the run (performance.timeOrigin + now(), for the worker.compute span). */
  | { readonly kind: 'result'; readonly taskId: number; readonly outputs: readonly WireTensor[]; readonly computeMs: number; readonly startedAtMs: number }
  /** The batch failed as a whole; each request's slice was run alone. */
  | { readonly kind: 'partial'; readonly taskId: number; readonly slices: readonly SliceResult[]; readonly computeMs: number; readonly startedAtMs: number }
  | { readonly kind: 'error'; readonly taskId: number; readonly message: string; readonly integrity?: { readonly expected: string; readonly actual: string } };

/** Transfer list for tensors: each distinct underlying buffer once. */
export function transferList(tensors: readonly WireTensor[]): ArrayBuffer[] {
  return [...new Set(tensors.map((t) => t.data.buffer as ArrayBuffer))];
}
