import type { Socket } from 'node:net';

/** Pre-encoded HTTP/1.1 POST requests for `url`, one per body (the generators write these bytes as they are). */
export function encodeRequests(url: URL, bodies: readonly Buffer[]): Buffer[] {
  return bodies.map((body) =>
    Buffer.concat([
      Buffer.from(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]),
  );
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
