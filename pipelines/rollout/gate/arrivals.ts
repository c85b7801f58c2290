/**
 * A constant arrival rate, as k6's `constant-arrival-rate` executor: arrival n is due n / rate seconds after
 * start. Each timer tick, and `stop()`, start every arrival due by then, so a window of t seconds starts
 * floor(t × rate) + 1 arrivals even when a busy event loop runs the ticks late. Shared by the request and stream
 * generators of the gate.
 */
export class ConstantArrivals {
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private sent = 0;

  /** `fire(n)` starts arrival n (0, 1, 2, …). */
  constructor(
    private readonly ratePerSecond: number,
    private readonly fire: (seq: number) => void,
    what = 'ratePerSecond',
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`${what} must be positive, got ${ratePerSecond}`);
  }

  start(): void {
    this.started = Date.now();
    this.sent = 0;
    this.fireDue();
    this.timer = setInterval(() => this.fireDue(), Math.max(1, Math.floor(1000 / this.ratePerSecond)));
  }

  /** Starts the arrivals due since the last tick, then no more. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.fireDue();
  }

  private fireDue(): void {
    const due = Math.floor(((Date.now() - this.started) * this.ratePerSecond) / 1000) + 1;
    for (; this.sent < due; this.sent += 1) this.fire(this.sent);
  }
}
