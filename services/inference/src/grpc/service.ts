/**
 * The six RPCs of inference.GRPCInferenceService, each the gRPC face of one REST route (docs/service.md, "gRPC"):
 *
 *   ServerLive     GET  /v2/health/live
 *   ServerReady    GET  /v2/health/ready                       (503 → ready: false, as Triton answers)
 *   ModelReady     GET  /v2/models/{name}[/versions/{v}]/ready  (503 → ready: false)
 *   ServerMetadata GET  /v2
 *   ModelMetadata  GET  /v2/models/{name}[/versions/{v}]
 *   ModelInfer     POST /v2/models/{name}[/versions/{v}]/infer  (through MAX_INFLIGHT_REQUESTS like HTTP)
 */
import { status as Status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import type { AdmissionGate } from '../limits/admission-gate.js';
import { overloadMessage } from '../limits/admission-gate.js';
import type { InferResponse, ModelMetadata } from '../protocol/types.js';
import { answer, type GrpcBridge, type Outcome, type RestAnswer } from './bridge.js';
import { fromRestInfer } from './from-rest.js';
import type { ModelInferRequest, ModelRef } from './messages.js';
import { grpcCodeName } from './status.js';

export interface ServiceOptions {
  readonly bridge: GrpcBridge;
  readonly log: FastifyBaseLogger;
  /** MAX_INFLIGHT_REQUESTS, shared with the HTTP listener (production only). */
  readonly gate?: AdmissionGate;
  /** inference_grpc_requests_total{method, code}. */
  readonly requests?: Pick<Counter<'method' | 'code'>, 'inc'>;
}

const modelPath = (name: string, version: string): string =>
  `/v2/models/${encodeURIComponent(name)}${version === '' ? '' : `/versions/${encodeURIComponent(version)}`}`;

const notReady = (rest: RestAnswer): { ready: false } | undefined => (rest.status === 503 ? { ready: false } : undefined);

export function grpcInferenceService(opts: ServiceOptions): UntypedServiceImplementation {
  const { bridge } = opts;
  const outcomeOf = (method: string): Outcome => (code) => opts.requests?.inc({ method, code: grpcCodeName(code) });

  /** Runs `work`; anything unexpected becomes INTERNAL with the REST wording, the cause in the log. */
  function unary<Req, Res>(method: string, work: (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>, outcome: Outcome) => Promise<void>) {
    const outcome = outcomeOf(method);
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      work(call, callback, outcome).catch((error: unknown) => {
        opts.log.error({ err: error, rpc: { method } }, 'gRPC call failed');
        outcome(Status.INTERNAL);
        callback({ code: Status.INTERNAL, details: 'internal error; the cause is in the service log' });
      });
    };
  }

  /** Refuses a request without a model name before it reaches a route (a REST URL cannot lack one). */
  function needsName(ref: ModelRef, callback: sendUnaryData<never>, outcome: Outcome, field: string): boolean {
    if (ref.name !== '') return true;
    outcome(Status.INVALID_ARGUMENT);
    callback({ code: Status.INVALID_ARGUMENT, details: `${field} is required` });
    return false;
  }

  return {
    ServerLive: unary('ServerLive', async (call, callback, outcome) => {
      const rest = await bridge.rest(call, { method: 'ServerLive' }, 'GET', '/v2/health/live');
      answer(call, callback, rest, (b) => ({ live: (b as { live: boolean }).live }), outcome);
    }),
    ServerReady: unary('ServerReady', async (call, callback, outcome) => {
      const rest = await bridge.rest(call, { method: 'ServerReady' }, 'GET', '/v2/health/ready');
      answer(call, callback, rest, (b) => ({ ready: (b as { ready: boolean }).ready }), outcome, notReady);
    }),
    ModelReady: unary<ModelRef, unknown>('ModelReady', async (call, callback, outcome) => {
      if (!needsName(call.request, callback as sendUnaryData<never>, outcome, 'name')) return;
      const rest = await bridge.rest(call, { method: 'ModelReady' }, 'GET', `${modelPath(call.request.name, call.request.version)}/ready`);
      answer(call, callback, rest, (b) => ({ ready: (b as { ready: boolean }).ready }), outcome, notReady);
    }),
    ServerMetadata: unary('ServerMetadata', async (call, callback, outcome) => {
      const rest = await bridge.rest(call, { method: 'ServerMetadata' }, 'GET', '/v2');
      // binary_tensor_data is an HTTP framing; gRPC has raw_input_contents instead, so it is not a gRPC extension.
      const withoutHttpExtensions = (b: unknown) => {
        const body = b as { extensions?: string[] };
        return { ...body, extensions: (body.extensions ?? []).filter((e) => e !== 'binary_tensor_data') };
      };
      answer(call, callback, rest, withoutHttpExtensions, outcome);
    }),
    ModelMetadata: unary<ModelRef, unknown>('ModelMetadata', async (call, callback, outcome) => {
      if (!needsName(call.request, callback as sendUnaryData<never>, outcome, 'name')) return;
      const rest = await bridge.rest(call, { method: 'ModelMetadata' }, 'GET', modelPath(call.request.name, call.request.version));
      answer(call, callback, rest, (b) => b as ModelMetadata, outcome);
    }),
    ModelInfer: unary<ModelInferRequest, unknown>('ModelInfer', async (call, callback, outcome) => {
      const message = call.request;
      const ref = { name: message.model_name, version: message.model_version };
      if (!needsName(ref, callback as sendUnaryData<never>, outcome, 'model_name')) return;
      const path = `${modelPath(ref.name, ref.version)}/infer`;
      // The in-flight cap the HTTP listener applies below Fastify (limits/admission-gate.ts), counted the same way.
      const release = opts.gate ? opts.gate.tryEnter(path) : () => {};
      if (release === undefined) {
        outcome(Status.UNAVAILABLE);
        callback({ code: Status.UNAVAILABLE, details: overloadMessage });
        return;
      }
      try {
        const rest = await bridge.rest(call, { method: 'ModelInfer', message }, 'POST', path);
        const raw = message.raw_input_contents.length > 0;
        answer(call, callback, rest, (b) => fromRestInfer(b as InferResponse, raw), outcome);
      } finally {
        release();
      }
    }),
  };
}
