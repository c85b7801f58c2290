/**
 * Load shedding in front of Fastify: beyond MAX_INFLIGHT_REQUESTS inference calls, answer 503 + Retry-After
 * straight from Node's request listener.
 *
 * Why below Fastify: under 10× overload nine requests in ten are refused, so a refusal must cost a small fraction of
 * a served request. Going through routing, hooks, serializers and logging cost enough main-thread time to cut the
 * admitted throughput to 40 % and stretch admitted latency (bench/overload.ts); a raw 503 costs a few microseconds.
 * Refusals are still counted (inference_requests_total status 503, inference_rejected_total reason overload) so the
 * error-rate alert and the canary gate see shedding; they are not written to the audit log (10k lines/s under
 * overload would be a second outage).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export interface AdmissionGateOptions {
  /** MAX_INFLIGHT_REQUESTS. */
  readonly maxInflight: number;
  /** Called once per refused request with its URL path (metrics). */
  readonly onReject?: (path: string) => void;
}

/** The refusal's message, shared with the gRPC listener (UNAVAILABLE). */
export const overloadMessage = 'server overloaded: too many inference calls in flight (MAX_INFLIGHT_REQUESTS); retry later';
const body = Buffer.from(JSON.stringify({ error: overloadMessage }));
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), 'retry-after': '1' };

/**
 * POST …/infer and the text-generation calls (…/generate, …/generate_stream, /v1/completions,
 * /v1/chat/completions), the only requests the gate meters (health probes and metadata always pass). A stream
 * counts as in flight until it ends.
 */
export function isInferRequest(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'POST' || url === undefined) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.endsWith('/infer') || path.endsWith('/generate') || path.endsWith('/generate_stream') || path === '/v1/completions' || path === '/v1/chat/completions';
}

export class AdmissionGate {
  private count = 0;
  private readonly release = (): void => {
    this.count--;
  };

  constructor(private readonly options: AdmissionGateOptions) {}

  /** Inference calls admitted and not yet answered. */
  get inflight(): number {
    return this.count;
  }

  /**
   * Admits one inference call that does not come through Node's HTTP listener (gRPC, src/grpc): returns the function
   * to call once it is answered, or undefined when refused (counted through onReject, like an HTTP refusal).
   */
  tryEnter(path: string): (() => void) | undefined {
    if (this.count >= this.options.maxInflight) {
      this.options.onReject?.(path);
      return undefined;
    }
    this.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.count--;
    };
  }

  wrap(handler: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (!isInferRequest(req.method, req.url)) return handler(req, res);
      if (this.count >= this.options.maxInflight) {
        this.options.onReject?.(req.url ?? '');
        res.writeHead(503, headers).end(body);
        return;
      }
      this.count++;
      // 'close' fires once whether the reply finished or the client went away, so the count cannot leak.
      res.on('close', this.release);
      return handler(req, res);
    };
  }
}
