/**
 * A small OTLP/HTTP trace receiver: POST /v1/traces with `application/x-protobuf` (decoded with protobufjs from
 * otlp-trace.proto) or `application/json` (OTLP/JSON), answered as the OTLP spec says (200 with an empty
 * ExportTraceServiceResponse in the request's encoding). It keeps every span it received, normalized.
 *
 * It stands in for the OpenTelemetry Collector or Jaeger, neither of which is packaged for Debian or npm: the
 * tests use it to check what the service really exports, and `npm run trace-receiver` prints trace trees for the
 * walkthrough in docs/tracing.md. Loopback only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export interface ReceivedLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly links: readonly ReceivedLink[];
  /** 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  readonly resource: Readonly<Record<string, unknown>>;
  readonly scope: string;
  /** How it arrived. */
  readonly encoding: 'protobuf' | 'json';
}

const protoFile = fileURLToPath(new URL('./otlp-trace.proto', import.meta.url));
let requestType: protobuf.Type | undefined;

async function exportRequestType(): Promise<protobuf.Type> {
  requestType ??= (await protobuf.load(protoFile)).lookupType('opentelemetry.proto.ExportTraceServiceRequest');
  return requestType;
}

type AnyValue = Record<string, unknown> | undefined;
type KeyValue = { key: string; value?: AnyValue };

function anyValue(value: AnyValue): unknown {
  if (value === undefined || value === null) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return ((value.arrayValue as { values?: AnyValue[] }).values ?? []).map(anyValue);
  if ('kvlistValue' in value) return attributesOf((value.kvlistValue as { values?: KeyValue[] }).values);
  if ('bytesValue' in value) return value.bytesValue;
  return undefined;
}

function attributesOf(list: readonly KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

/** Ids: bytes in protobuf; hex strings in OTLP/JSON (the spec's exception to protobuf JSON's base64). */
function hex(id: unknown): string {
  if (id === undefined || id === null) return '';
  if (typeof id === 'string') return id.toLowerCase();
  return Buffer.from(id as Uint8Array).toString('hex');
}

function nanos(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'object' && 'low' in (value as object)) {
    const long = value as { low: number; high: number };
    return (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
  }
  return BigInt(value as string | number);
}

const kinds: Record<string, number> = { SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5 };

/** Normalizes a decoded ExportTraceServiceRequest (protobufjs object or parsed OTLP/JSON) into spans. */
export function spansOf(request: Record<string, unknown>, encoding: ReceivedSpan['encoding']): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of (request.resourceSpans as Array<Record<string, unknown>> | undefined) ?? []) {
    const resource = attributesOf((rs.resource as { attributes?: KeyValue[] } | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Array<Record<string, unknown>> | undefined) ?? []) {
      const scope = (ss.scope as { name?: string } | undefined)?.name ?? '';
      for (const s of (ss.spans as Array<Record<string, unknown>> | undefined) ?? []) {
        const status = (s.status as { code?: number | string; message?: string } | undefined) ?? {};
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: typeof s.kind === 'string' ? (kinds[s.kind] ?? 0) : Number(s.kind ?? 0),
          startNs: nanos(s.startTimeUnixNano),
          endNs: nanos(s.endTimeUnixNano),
          attributes: attributesOf(s.attributes as KeyValue[] | undefined),
          links: ((s.links as Array<Record<string, unknown>> | undefined) ?? []).map((l) => ({
            traceId: hex(l.traceId),
            spanId: hex(l.spanId),
            attributes: attributesOf(l.attributes as KeyValue[] | undefined),
          })),
          status: { code: Number(status.code ?? 0), message: status.message ?? '' },
          resource,
          scope,
          encoding,
        });
      }
    }
  }
  return spans;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (spans go to `${url}/v1/traces`). */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Export requests refused (bad content type, undecodable body), with the reason. */
  readonly refused: string[];
  /** Resolves once `predicate` holds for the spans received (checked on every export), or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Called with the new spans of each export. */
  onSpans?: (spans: readonly ReceivedSpan[]) => void;
  close(): Promise<void>;
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export async function startOtlpReceiver(options: { readonly port?: number; readonly host?: string } = {}): Promise<OtlpReceiver> {
  const type = await exportRequestType();
  const spans: ReceivedSpan[] = [];
  const refused: string[] = [];
  const waiters = new Set<() => void>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const refuse = (status: number, reason: string) => {
      refused.push(reason);
      response.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
    };
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/traces') return refuse(404, `no such endpoint: ${request.method} ${request.url}`);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
    const bytes = await body(request);
    let received: ReceivedSpan[];
    try {
      if (contentType === 'application/x-protobuf') {
        received = spansOf(type.toObject(type.decode(bytes), { longs: String, bytes: Buffer, defaults: false }), 'protobuf');
      } else if (contentType === 'application/json') {
        received = spansOf(JSON.parse(bytes.toString('utf8')) as Record<string, unknown>, 'json');
      } else {
        return refuse(415, `unsupported content type "${contentType}": OTLP/HTTP is application/x-protobuf or application/json`);
      }
    } catch (error) {
      return refuse(400, `undecodable ${contentType} body: ${(error as Error).message}`);
    }
    spans.push(...received);
    receiver.onSpans?.(received);
    for (const wake of [...waiters]) wake();
    if (contentType === 'application/json') response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => response.writeHead(500).end(error.message));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const receiver: OtlpReceiver = {
    url: `http://${host}:${port}`,
    spans,
    refused,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(spans)) return;
          cleanup();
          resolve(spans);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`OTLP receiver: condition not met within ${timeoutMs} ms; got ${spans.length} spans: ${spans.map((s) => s.name).join(', ')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return receiver;
}
