/**
 * Every gRPC call goes through the REST pipeline, not beside it: the bridge turns the call into the equivalent
 * REST request and hands it to Fastify (`inject`, in-process), so the drain gate, auth, rate limit, element-count
 * limit, fault injection, result cache, route validation, batcher, metrics and audit record run exactly as they do
 * for HTTP — one pipeline, two front doors (docs/adr/0004-grpc-api.md).
 *
 * The call's message never becomes JSON text: the injected request carries only a random call id (header
 * x-inference-grpc-call) and content type `application/x-inference-grpc`; the content-type parser (registered by
 * the gRPC plugin, where the REST route parses JSON, so after auth and before the limits) looks the call up and
 * returns its translation (to-rest.ts). An HTTP client cannot use that door: an id it sends is not a live call, and
 * it gets the 415 a non-JSON body gets.
 */
import { randomUUID } from 'node:crypto';
import { Metadata, status as Status, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall } from '@grpc/grpc-js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelInferRequest } from './messages.js';
import { grpcCodeOf } from './status.js';

export const callHeader = 'x-inference-grpc-call';
export const grpcBodyType = 'application/x-inference-grpc';

/**
 * Request metadata forwarded as headers (auth, request id, W3C trace context so the call's server span joins the
 * caller's trace); everything else stays in gRPC.
 */
const forwarded = ['authorization', 'x-request-id', 'traceparent', 'tracestate'] as const;
/** Response headers returned as metadata: on success in the initial metadata, on failure in the trailers. */
const returnedOnSuccess = ['x-request-id', 'x-inference-cache', 'traceparent'] as const;
const returnedOnError = [...returnedOnSuccess, 'retry-after', 'www-authenticate'] as const;

export interface LiveCall {
  /** RPC name, e.g. ModelInfer (audit records, metrics). */
  readonly method: string;
  readonly message?: ModelInferRequest;
}

/** The REST answer a gRPC call got. */
export interface RestAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
}

export class GrpcBridge {
  private readonly live = new Map<string, LiveCall>();

  constructor(private readonly app: FastifyInstance) {}

  /** The live gRPC call behind an injected request, if it is one. */
  callOf(request: FastifyRequest): LiveCall | undefined {
    const id = request.headers[callHeader];
    return typeof id === 'string' ? this.live.get(id) : undefined;
  }

  /** Runs the REST request a gRPC call stands for. */
  async rest(call: ServerUnaryCall<unknown, unknown>, live: LiveCall, method: 'GET' | 'POST', url: string): Promise<RestAnswer> {
    const id = randomUUID();
    this.live.set(id, live);
    const headers: Record<string, string> = { [callHeader]: id };
    for (const key of forwarded) {
      const value = call.metadata.get(key)[0];
      if (typeof value === 'string') headers[key] = value;
    }
    if (live.message !== undefined) headers['content-type'] = grpcBodyType;
    try {
      const res = await this.app.inject({ method, url, headers, remoteAddress: peerHost(call.getPeer()), ...(method === 'POST' && { payload: '' }) });
      return { status: res.statusCode, headers: res.headers, body: res.payload };
    } finally {
      this.live.delete(id);
    }
  }
}

/** `127.0.0.1:5050` / `[::1]:5050` / `ipv4:…` → the address (the rate limit's subject when unauthenticated). */
export function peerHost(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  if (bare.startsWith('[')) return bare.slice(1, bare.indexOf(']'));
  const colon = bare.lastIndexOf(':');
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}

function metadataOf(answer: RestAnswer, keys: readonly string[]): Metadata {
  const metadata = new Metadata();
  for (const key of keys) {
    const value = answer.headers[key];
    if (value !== undefined) metadata.set(key, String(value));
  }
  return metadata;
}

/** The `{"error": ...}` message of a REST refusal, verbatim. */
function errorMessage(answer: RestAnswer): string {
  try {
    const parsed = JSON.parse(answer.body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through
  }
  return answer.body || `HTTP ${answer.status}`;
}

/** A gRPC error with the REST message and the refusal's headers (Retry-After, WWW-Authenticate) as trailers. */
export function grpcError(answer: RestAnswer): ServerErrorResponse {
  return Object.assign(new Error(errorMessage(answer)), {
    code: grpcCodeOf(answer.status),
    details: errorMessage(answer),
    metadata: metadataOf(answer, returnedOnError),
  });
}

export type Outcome = (code: Status) => void;

/**
 * Answers a call from its REST answer: `toMessage` turns a 200 body into the response message; `fallback` may turn
 * a refusal into an answer (ServerReady: 503 → ready false). Reports the gRPC code to `outcome` (metrics).
 */
export function answer<T>(
  call: ServerUnaryCall<unknown, T>,
  callback: sendUnaryData<T>,
  rest: RestAnswer,
  toMessage: (body: unknown) => T,
  outcome: Outcome,
  fallback?: (rest: RestAnswer) => T | undefined,
): void {
  if (rest.status === 200) {
    const message = toMessage(JSON.parse(rest.body));
    call.sendMetadata(metadataOf(rest, returnedOnSuccess));
    outcome(Status.OK);
    callback(null, message);
    return;
  }
  const instead = fallback?.(rest);
  if (instead !== undefined) {
    call.sendMetadata(metadataOf(rest, returnedOnSuccess));
    outcome(Status.OK);
    callback(null, instead);
    return;
  }
  const error = grpcError(rest);
  outcome(error.code ?? Status.UNKNOWN);
  callback(error);
}

