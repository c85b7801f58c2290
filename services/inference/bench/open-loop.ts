import { connect, type Socket } from 'node:net';
import { encodeRequests, onResponses } from './http-wire.js';

export interface OpenLoopOptions {
  readonly url: string;
  /** Requests started per second, whatever the answers (open loop). */
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** Keep-alive connections, like a gateway's pool of upstream connections to one replica (no pipelining). */
  readonly connections: number;
  readonly bodies: readonly Buffer[];
}

export interface OpenLoopResult {
  readonly sent: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Latency of 200 answers from the moment each request was due (includes waiting for a free connection). */
  readonly admittedMs: readonly number[];
  /** Server-side duration of 200 answers, from their Server-Timing header. */
  readonly admittedServerMs: readonly number[];
  /** Most requests that were due and waiting for a free connection at once. */
  readonly maxBacklog: number;
  /** From the start to the last request written: sent ÷ this is the rate actually offered. */
  readonly sendSpanMs: number;
}

/**
 * Open-loop load: a request falls due every 1/ratePerSecond s and goes out on the next free connection of a fixed
 * pool, answered or not, the way a gateway forwards a flood to one replica over its pooled upstream connections.
 * Pre-encoded requests and Content-Length framing keep the generator's own cost per request low, so on a machine it
 * shares with the server more of the offered rate is actually offered.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  const requests = encodeRequests(target, options.bodies);
  const statusCounts: Record<string, number> = {};
  const admittedMs: number[] = [];
  const admittedServerMs: number[] = [];
  const due: number[] = []; // due times of requests waiting for a connection (FIFO)
  let head = 0;
  let sent = 0;
  let maxBacklog = 0;
  let closed = 0;
  let lastSentAt = 0;
  const pool: Socket[] = [];
  const idle: Array<(dueAt: number) => void> = [];
  const started = performance.now();

  const dispatch = (): void => {
    while (head < due.length && idle.length > 0) (idle.pop() as (dueAt: number) => void)(due[head++] as number);
    if (head > 4096 && head * 2 > due.length) due.splice(0, head), (head = 0);
  };

  const connection = (): Promise<void> =>
    new Promise((resolve) => {
      const socket: Socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
      pool.push(socket);
      let dueAt = 0;
      const ready = (): void => {
        idle.push((at) => {
          dueAt = at;
          socket.write(requests[sent++ % requests.length] as Buffer);
          lastSentAt = performance.now();
        });
        dispatch();
      };
      socket.on('connect', ready);
      onResponses(socket, (status, head) => {
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status === '200') {
          admittedMs.push(performance.now() - dueAt);
          admittedServerMs.push(Number(/\r\nserver-timing:[^\r]*dur=([\d.]+)/i.exec(head)?.[1] ?? Number.NaN));
        }
        ready();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        const key = `error:${error.code ?? 'unknown'}`;
        statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      });
      socket.on('close', () => {
        closed++;
        resolve();
      });
    });

  const sockets = Array.from({ length: options.connections }, connection);
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const elapsed = now - started;
      const until = Math.floor((Math.min(elapsed, options.durationMs) / 1000) * options.ratePerSecond);
      for (; issued < until; issued++) due.push(started + (issued / options.ratePerSecond) * 1000);
      maxBacklog = Math.max(maxBacklog, due.length - head);
      dispatch();
      if (elapsed >= options.durationMs) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  // Let what is in flight or still due finish, then close the pool.
  while (closed < options.connections && (head < due.length || idle.length + closed < options.connections)) {
    await new Promise((r) => setTimeout(r, 5));
  }
  for (const socket of pool) socket.end();
  await Promise.all(sockets);
  return { sent, statusCounts, admittedMs, admittedServerMs, maxBacklog, sendSpanMs: lastSentAt - started };
}
