/**
 * A push-fed async iterable of token batches: the engine pushes what each decode step delivers, the API layer
 * iterates. Batches pushed before anyone iterates are kept; one consumer. A consumer that stops early (`break` out
 * of `for await`) calls `onReturn`, which the engine uses to cancel the sequence.
 */
export class TokenStream implements AsyncIterable<readonly number[]> {
  constructor(private readonly onReturn: () => void = () => undefined) {}

  private readonly buffered: Array<readonly number[]> = [];
  private waiter: { resolve: (r: IteratorResult<readonly number[]>) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  private failure: Error | undefined;

  push(tokens: readonly number[]): void {
    if (this.ended || tokens.length === 0) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: tokens, done: false });
    } else {
      this.buffered.push(tokens);
    }
  }

  /** No more tokens; with `error`, the iteration throws it once the buffered batches are read. */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) return;
    if (error) waiter.reject(error);
    else waiter.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly number[]> {
    return {
      next: () => {
        const next = this.buffered.shift();
        if (next) return Promise.resolve({ value: next, done: false });
        if (this.ended) return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      return: () => {
        this.buffered.length = 0;
        if (!this.ended) this.onReturn();
        this.ended = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
