/**
 * Stop strings matched across token boundaries. Text that could still be the start of a stop string is held back
 * until the next text decides it; when a stop string appears, the text before it is released and nothing after it.
 */
export interface StopOutcome {
  /** Text safe to send now. */
  readonly text: string;
  /** A stop string matched: the sequence ends here (finish_reason "stop"). */
  readonly stopped: boolean;
}

export class StopStringMatcher {
  private held = '';
  private done = false;

  constructor(private readonly stops: readonly string[]) {}

  push(delta: string): StopOutcome {
    if (this.done) return { text: '', stopped: true };
    const buffer = this.held + delta;
    let at = -1;
    for (const stop of this.stops) {
      const i = buffer.indexOf(stop);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at >= 0) {
      this.done = true;
      this.held = '';
      return { text: buffer.slice(0, at), stopped: true };
    }
    const keep = this.partialSuffix(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** The sequence ended for another reason: the held text was not a stop string after all. */
  flush(): string {
    const text = this.done ? '' : this.held;
    this.held = '';
    return text;
  }

  /** Length of the longest end of `buffer` that is a proper prefix of some stop string. */
  private partialSuffix(buffer: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, buffer.length); n > longest; n--) {
        if (buffer.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
