/**
 * The contract between the text-generation engine (continuous batching on the worker threads) and the API layer
 * (OpenAI-compatible and KServe V2 generate routes). The API layer tokenizes, renders chat templates, matches
 * stop strings and streams; the engine schedules, runs the decoder with its KV cache and samples.
 */

/** How the next token is chosen. Validated by the API layer before it reaches the engine. */
export interface SamplingParams {
  /** Tokens to generate at most (≥ 1); prompt + maxTokens must fit the context length. */
  readonly maxTokens: number;
  /** 0 = greedy (argmax); otherwise logits are divided by it before softmax. */
  readonly temperature: number;
  /** Nucleus sampling mass in (0, 1]; 1 = off. */
  readonly topP: number;
  /** Keep the k most likely tokens; 0 = off. */
  readonly topK: number;
  /** uint32 seed: the same seed, prompt and parameters give the same tokens, whatever else shares the batch. */
  readonly seed?: number;
}

export interface GenerateRequest {
  /** Prompt token ids, already templated and tokenized (1 ≤ length < context length). */
  readonly promptIds: readonly number[];
  readonly params: SamplingParams;
  /** Token ids that end the sequence with finish reason `stop` (the eos token is not reported as a token). */
  readonly stopTokenIds: readonly number[];
}

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface GenerationSummary {
  readonly finishReason: FinishReason;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Milliseconds the request waited for KV-cache room before its prefill started. */
  readonly queueMs: number;
  /** Milliseconds from submit to the first generated token. */
  readonly timeToFirstTokenMs: number;
  /** Worker compute attributed to this sequence, milliseconds (its share of each step it took part in). */
  readonly computeMs: number;
}

/** One admitted request. Tokens arrive in order; `done` settles after the last one. */
export interface GenerationHandle {
  /** Token ids in generation order, delivered as the steps produce them (a step may deliver several). */
  readonly tokens: AsyncIterable<readonly number[]>;
  readonly done: Promise<GenerationSummary>;
  /** Ends the sequence; its KV-cache slot is freed at the next step. Idempotent. */
  cancel(): void;
}

export interface GenerationStats {
  /** Sequences admitted to a worker's decode loop (prefilling or decoding). */
  readonly activeSequences: number;
  /** Requests waiting for KV-cache room or a sequence slot. */
  readonly queueDepth: number;
  /** KV-cache tokens reserved by the active sequences (prompt + maxTokens each), over all workers. */
  readonly kvCacheUsedTokens: number;
  /** KV-cache budget over all workers holding the version (per-worker budget × workers). */
  readonly kvCacheCapacityTokens: number;
}

/** What the engine learned from the ONNX graph and the model's own config files. */
export interface GenerativeModelInfo {
  readonly name: string;
  readonly version: string;
  readonly contextLength: number;
  readonly vocabSize: number;
  /**
   * End-of-sequence token ids (generation_config.json, else config.json, else tokenizer_config.json's eos_token);
   * the API layer passes them in `stopTokenIds`. Added after the first contract; may be empty.
   */
  readonly eosTokenIds: readonly number[];
  /** Folder holding tokenizer.json, tokenizer_config.json (and generation_config.json when present). */
  readonly directory: string;
}

export interface GenerationEngine {
  readonly info: GenerativeModelInfo;
  /**
   * Admits a request or throws an InferenceError: 400 when the prompt does not fit the context, 429 with
   * Retry-After when the wait queue is full, 503 while the model is not ready or the process drains.
   */
  submit(request: GenerateRequest): GenerationHandle;
  stats(): GenerationStats;
}
