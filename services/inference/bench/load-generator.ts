import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationMs: number;
  /** Request bodies, used round-robin (distinct bodies keep any result cache out of the figures). */
  readonly bodies: readonly Buffer[];
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Closed-loop HTTP/1.1 load in the manner of wrk: `connections` keep-alive sockets, each sending the next request
 * as soon as the previous response is complete, for `durationMs`. Requests are pre-encoded bytes and responses are
 * framed by Content-Length only, so the generator spends little CPU of a 2-core machine it shares with the server
 * under test (node:http's client costs several times more per request).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const requests = options.bodies.map((body) =>
    Buffer.concat([
      Buffer.from(`POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]),
  );
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const connection = (): Promise<void> =>
    new Promise((resolve) => {
      const socket: Socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = (): void => {
        if (performance.now() >= deadline) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write(requests[next++ % requests.length] as Buffer);
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        const headerEnd = buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const head = buffer.subarray(0, headerEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < headerEnd + 4 + length) return;
        buffer = buffer.subarray(headerEnd + 4 + length);
        const status = Number(head.slice(9, 12));
        latencies.push(performance.now() - sentAt);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status !== 200) errors++;
        send();
      });
      socket.on('error', () => {
        errors++;
        resolve();
      });
      socket.on('close', () => resolve());
    });

  await Promise.all(Array.from({ length: options.connections }, connection));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    statusCounts,
    requestsPerSecond: (latencies.length / elapsed) * 1000,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
  };
}

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
  const requests = options.bodies.map((body) =>
    Buffer.concat([
      Buffer.from(`POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]),
  );
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
      let buffer: Buffer = Buffer.alloc(0);
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
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        const headerEnd = buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const headText = buffer.subarray(0, headerEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headText)?.[1] ?? 0);
        if (buffer.length < headerEnd + 4 + length) return;
        buffer = buffer.subarray(headerEnd + 4 + length);
        const status = headText.slice(9, 12);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (status === '200') {
          admittedMs.push(performance.now() - dueAt);
          admittedServerMs.push(Number(/\r\nserver-timing:[^\r]*dur=([\d.]+)/i.exec(headText)?.[1] ?? Number.NaN));
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
