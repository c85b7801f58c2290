/**
 * LOG_BUFFER_BYTES: the log destination (stdout) with its lines gathered into one write(2) of at least that many
 * bytes instead of one write per line.
 *
 * At the service's throughput one audit record per inference call is thousands of write system calls a second on
 * the event loop (~9 % of its CPU in the bench's profile, docs/benchmark.md). With a buffer the lines still leave in
 * order and at least every `flushMs` (so a quiet service's records are never held longer than that), and the buffer is
 * written out when the process exits — on the drain's exit, on an uncaught exception — but a process killed outright
 * (SIGKILL, the OOM killer) loses what was not yet written: at most `bytes` or `flushMs` of records. That is why
 * it is off (0) by default; docs/configuration.md.
 */
import pino from 'pino';

export interface BufferedDestinationOptions {
  /** File descriptor or path (stdout: 1). */
  readonly dest: number | string;
  /** Write once this many bytes are gathered. */
  readonly minLength: number;
  /** ...and at least this often. */
  readonly flushMs: number;
}

export const logFlushIntervalMs = 100;

export function bufferedDestination(options: BufferedDestinationOptions): pino.DestinationStream {
  // Synchronous writes (pino's default for stdout) keep the order with other output and need no worker thread; the
  // buffer only changes how many lines each write carries.
  // sonic-boom requires minLength below maxWrite (one write's cap, 16 KiB by default).
  const stream = pino.destination({ dest: options.dest, sync: true, minLength: options.minLength, maxWrite: Math.max(16384, 2 * options.minLength) });
  const flush = (): void => {
    try {
      stream.flushSync();
    } catch {
      // A full pipe (EAGAIN) is retried by the next flush; pino reports write errors on the stream itself.
    }
  };
  setInterval(flush, options.flushMs).unref();
  process.on('exit', flush);
  return stream;
}
