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
  /** How long after the last request falls due its answers may take before they count as lost (default 30 s). */
  readonly drainMs?: number;
}

export interface OpenLoopResult {
  readonly sent: number;
  /** Answers by status, and `error:<code>` for requests that got no answer (connection reset, closed, timed out). */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Latency of 200 answers from the moment each request was due (includes waiting for a free connection). */
  readonly admittedMs: readonly number[];
  /** Server-side duration of 200 answers, from their Server-Timing header. */
  readonly admittedServerMs: readonly number[];
  /** Most requests that were due and still waiting for a free connection after a dispatch. */
  readonly maxBacklog: number;
  /** From the start to the last request written: sent ÷ this is the rate actually offered. */
  readonly sendSpanMs: number;
  /** From the start until every request was answered or counted lost. */
  readonly wallMs: number;
}

interface Connection {
  readonly socket: Socket;
  /** Due time of the request in flight on it, or undefined when idle. */
  dueAt?: number;
  /** Code of the socket error that preceded the close, if any. */
  lastError?: string;
}

/**
 * Open-loop load: a request falls due every 1/ratePerSecond s and goes out on the next free connection of a fixed
 * pool, answered or not, the way a gateway forwards a flood to one replica over its pooled upstream connections.
 * Pre-encoded requests and Content-Length framing keep the generator's own cost per request low, so on a machine it
 * shares with the server more of the offered rate is actually offered. A connection the server closes is replaced;
 * a request in flight on it counts as lost (`error:closed`), never silently dropped.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  const requests = encodeRequests(target, options.bodies);
  const statusCounts: Record<string, number> = {};
  const count = (key: string): void => void (statusCounts[key] = (statusCounts[key] ?? 0) + 1);
  const admittedMs: number[] = [];
  const admittedServerMs: number[] = [];
  const due: number[] = []; // due times of requests waiting for a connection (FIFO from `head`)
  let head = 0;
  let sent = 0;
  let answered = 0;
  let maxBacklog = 0;
  let lastSentAt = 0;
  let running = true;
  const pool = new Set<Connection>();
  const idle: Connection[] = [];
  const started = performance.now();

  const dispatch = (): void => {
    while (head < due.length && idle.length > 0) {
      const conn = idle.pop() as Connection;
      if (conn.socket.destroyed) continue;
      conn.dueAt = due[head++] as number;
      conn.socket.write(requests[sent++ % requests.length] as Buffer);
      lastSentAt = performance.now();
    }
    if (head > 4096 && head * 2 > due.length) due.splice(0, head), (head = 0);
  };

  const open = (): void => {
    const conn: Connection = { socket: connect({ host: target.hostname, port: Number(target.port), noDelay: true }) };
    pool.add(conn);
    const ready = (): void => {
      conn.dueAt = undefined;
      idle.push(conn);
      dispatch();
    };
    conn.socket.on('connect', ready);
    onResponses(conn.socket, (status, headText) => {
      answered++;
      count(status);
      if (status === '200') {
        admittedMs.push(performance.now() - (conn.dueAt ?? 0));
        admittedServerMs.push(Number(/\r\nserver-timing:[^\r]*dur=([\d.]+)/i.exec(headText)?.[1] ?? Number.NaN));
      }
      ready();
    });
    conn.socket.on('error', (error: NodeJS.ErrnoException) => void (conn.lastError = error.code ?? 'error'));
    conn.socket.on('close', () => {
      pool.delete(conn);
      if (!running) return;
      if (conn.dueAt !== undefined) {
        answered++;
        count(`error:${conn.lastError ?? 'closed'}`);
      }
      // A refused connect is retried after a pause, not in a tight loop.
      if (conn.socket.bytesRead === 0 && conn.lastError !== undefined) setTimeout(() => running && open(), 50);
      else open();
    });
  };

  for (let i = 0; i < options.connections; i++) open();
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const until = Math.floor((Math.min(elapsed, options.durationMs) / 1000) * options.ratePerSecond);
      for (; issued < until; issued++) due.push(started + (issued / options.ratePerSecond) * 1000);
      dispatch();
      maxBacklog = Math.max(maxBacklog, due.length - head);
      if (elapsed >= options.durationMs) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  // Let what is due go out and every answer come back, within drainMs; what is left then counts as lost.
  const deadline = performance.now() + (options.drainMs ?? 30_000);
  while ((head < due.length || answered < sent) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  running = false;
  const unanswered = sent - answered + (due.length - head);
  for (let i = 0; i < unanswered; i++) count('error:unanswered');
  const wallMs = performance.now() - started;
  for (const conn of pool) conn.socket.destroy();
  return { sent: sent + (due.length - head), statusCounts, admittedMs, admittedServerMs, maxBacklog, sendSpanMs: lastSentAt - started, wallMs };
}
