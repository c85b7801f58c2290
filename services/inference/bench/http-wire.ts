import type { Socket } from 'node:net';

/** A request body with its own headers (the binary tensor data extension's Inference-Header-Content-Length). */
export interface WireBody {
  readonly body: Buffer;
  /** Header lines, e.g. `{'content-type': 'application/octet-stream', 'inference-header-content-length': '123'}`. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Pre-encoded HTTP/1.1 POST requests for `url`, one per body (the generators write these bytes as they are): a
 * plain Buffer is sent as application/json, a WireBody with its headers.
 */
export function encodeRequests(url: URL, bodies: readonly (Buffer | WireBody)[]): Buffer[] {
  return bodies.map((entry) => {
    const { body, headers } = Buffer.isBuffer(entry) ? { body: entry, headers: { 'content-type': 'application/json' } } : entry;
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    return Buffer.concat([Buffer.from(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n${lines}Content-Length: ${body.length}\r\n\r\n`), body]);
  });
}

/**
 * Calls `onResponse` with the status and header block of every complete response on a keep-alive socket, framed by
 * Content-Length only (the servers under test always send it): cheaper than node:http's client by several times.
 */
export function onResponses(socket: Socket, onResponse: (status: string, head: string) => void): void {
  let buffer: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = buffer.subarray(0, headerEnd).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < headerEnd + 4 + length) return;
      buffer = buffer.subarray(headerEnd + 4 + length);
      onResponse(head.slice(9, 12), head);
    }
  });
}
