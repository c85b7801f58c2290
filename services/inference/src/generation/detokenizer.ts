/**
 * Incremental detokenization for streaming, by the prefix-offset technique (Hugging Face text-generation-inference
 * `decode_token`, vLLM `detokenize_incrementally`): decode a short window of tokens with and without the newest
 * ones and emit the difference. Decoding a window rather than single tokens keeps what depends on the neighbours
 * right (SentencePiece's leading-space rule, byte-level merges), and a text ending in U+FFFD is held back: its last
 * token ends inside a multi-byte UTF-8 character, which the next token completes. No half character is emitted.
 */

/** What the detokenizer needs of a tokenizer. */
export interface Decoder {
  decode(ids: readonly number[]): string;
}

/** Prompt tokens kept as left context (vLLM uses 5): enough for any decoder's look-behind. */
const promptContext = 5;

export class IncrementalDetokenizer {
  private readonly ids: number[];
  private prefixOffset: number;
  private readOffset: number;

  /** `promptIds` give the first generated token its left context (a leading space survives). */
  constructor(private readonly decoder: Decoder, promptIds: readonly number[] = []) {
    this.ids = promptIds.slice(-promptContext);
    this.prefixOffset = 0;
    this.readOffset = this.ids.length;
  }

  /** Adds generated ids; returns the text they complete (possibly empty while a character is unfinished). */
  push(ids: readonly number[]): string {
    this.ids.push(...ids);
    const prefix = this.decoder.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const full = this.decoder.decode(this.ids.slice(this.prefixOffset));
    if (full.length > prefix.length && !full.endsWith('\uFFFD')) {
      const delta = full.slice(prefix.length);
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      return delta;
    }
    return '';
  }

  /** At the end of the sequence: whatever is still held back (an unfinished character decodes as U+FFFD). */
  flush(): string {
    const prefix = this.decoder.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const full = this.decoder.decode(this.ids.slice(this.prefixOffset));
    this.prefixOffset = this.readOffset = this.ids.length;
    return full.length > prefix.length ? full.slice(prefix.length) : '';
  }
}
