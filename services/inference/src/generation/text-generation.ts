/**
 * One admitted generation turned into text: token ids from the engine → incremental detokenizer → stop strings.
 * Iterate `deltas` for the text as it becomes safe to send (streaming), or await `text()` for all of it. A stop
 * string ends the sequence: its handle is cancelled (the KV slot frees at the next step) and the finish reason is
 * `stop`, as for the eos token; running out of max_tokens or context is `length`.
 */
import { IncrementalDetokenizer, type Decoder } from './detokenizer.js';
import { StopStringMatcher } from './stop-strings.js';
import type { GenerationHandle } from './types.js';

export interface TextUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface TextOutcome extends TextUsage {
  readonly finishReason: 'stop' | 'length';
  /** Worker compute attributed to the sequence (the engine's summary), for per-tenant accounting. */
  readonly computeMs: number;
  /** The sequence was cut short (client gone, server draining), not ended by eos, a stop string or max_tokens. */
  readonly cancelled: boolean;
}

/** Called as tokens arrive (metrics: TTFT, inter-token latency, generated tokens). */
export type TokenListener = (count: number) => void;

export class TextGeneration {
  private outcomeValue: TextOutcome | undefined;
  private completionTokens = 0;
  private ended = false;

  constructor(
    private readonly handle: GenerationHandle,
    private readonly decoder: Decoder,
    private readonly prompt: readonly number[],
    private readonly stops: readonly string[],
    private readonly onTokens?: TokenListener,
    /** Called once with the outcome when the sequence ends normally (the audit record's token counts). */
    private readonly onEnd?: (outcome: TextOutcome) => void,
  ) {}

  /** Text pieces in order; empty pieces are skipped. Ends when the sequence does; cancels the sequence if left early. */
  async *deltas(): AsyncGenerator<string, void, undefined> {
    const detokenizer = new IncrementalDetokenizer(this.decoder, this.prompt);
    const matcher = new StopStringMatcher(this.stops);
    let stoppedByString = false;
    try {
      for await (const ids of this.handle.tokens) {
        this.completionTokens += ids.length;
        this.onTokens?.(ids.length);
        const outcome = matcher.push(detokenizer.push(ids));
        if (outcome.text !== '') yield outcome.text;
        if (outcome.stopped) {
          stoppedByString = true;
          this.handle.cancel();
          break;
        }
      }
      if (!stoppedByString) {
        const rest = matcher.push(detokenizer.flush());
        const tail = rest.stopped ? rest.text : rest.text + matcher.flush();
        stoppedByString = rest.stopped;
        if (rest.stopped) this.handle.cancel();
        if (tail !== '') yield tail;
      }
      const summary = await this.handle.done;
      this.outcomeValue = {
        finishReason: stoppedByString || summary.finishReason !== 'length' ? 'stop' : 'length',
        promptTokens: summary.promptTokens,
        completionTokens: this.completionTokens,
        computeMs: summary.computeMs,
        cancelled: !stoppedByString && summary.finishReason === 'cancelled',
      };
      this.onEnd?.(this.outcomeValue);
    } finally {
      this.ended = true;
      // Left early (client gone, an error downstream): free the slot.
      if (this.outcomeValue === undefined) this.handle.cancel();
    }
  }

  /** The whole text (non-streaming answers). */
  async text(): Promise<string> {
    let text = '';
    for await (const piece of this.deltas()) text += piece;
    return text;
  }

  /** Set once `deltas()` has run to its end. */
  get outcome(): TextOutcome {
    if (!this.ended || this.outcomeValue === undefined) throw new Error('generation has not finished');
    return this.outcomeValue;
  }

  cancel(): void {
    this.handle.cancel();
  }
}
