/**
 * One ECS record per request, plus the audit record per inference call.
 *
 * The audit record (event.dataset "inference.audit", labels.audit "true") carries who called (subject, tenant,
 * scope used), what (model, version), how it went (status, latency, cache hit), what it used (tenant, items,
 * compute seconds, tokens: src/usage) — never tensor data, headers or tokens. Other routes get an access record (event.dataset "inference.access"); health probes only at debug level,
 * since kubelets probe every few seconds.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { routeKind } from '../auth/route-policy.js';
import { serviceName } from '../grpc/proto.js';
import { grpcCodeName, grpcCodeOf } from '../grpc/status.js';
import { tenantOfPrincipal } from '../usage/meter.js';
import { traceLogFields } from '../tracing/plugin.js';
import { requestIdLogLabel } from './options.js';

export interface AuditRecord {
  readonly event: {
    readonly kind: 'event';
    readonly category: readonly string[];
    readonly type: readonly string[];
    readonly action: string;
    readonly outcome: 'success' | 'failure';
    readonly dataset: string;
    /** Nanoseconds (ECS event.duration). */
    readonly duration: number;
  };
  readonly labels: { readonly audit: 'true' };
  readonly user: { readonly id: string };
  /** ECS organization.id: the caller's tenant, when the token names one. */
  readonly organization?: { readonly id: string };
  readonly http: { readonly request: { readonly method: string }; readonly response: { readonly status_code: number } };
  /** The gRPC path (`/inference.GRPCInferenceService/ModelInfer`) for calls that came in over gRPC (src/grpc). */
  readonly url: { readonly path: string };
  /** ECS network.protocol: present, "grpc", for gRPC calls; absent for HTTP/1.1 REST. */
  readonly network?: { readonly protocol: 'grpc' };
  readonly inference: {
    readonly model: string;
    readonly version: string;
    readonly status: number;
    readonly latency_ms: number;
    readonly cache_hit: boolean;
    readonly cache: string;
    readonly scopes: readonly string[];
    /** gRPC calls: the status code name the caller got (status holds the HTTP status it maps from). */
    readonly grpc_code?: string;
    /** Text generation: how it ended and the tokens it used (per-tenant token accounting); absent when cut short. */
    readonly generation?: { readonly finish_reason: string; readonly prompt_tokens: number; readonly completion_tokens: number };
    /** The tenant billed (src/usage): tenant claim, else `sub`; "anonymous" with AUTH_MODE=none. Absent when unauthenticated. */
    readonly tenant?: string;
    /** Batch rows of the call; 0 when refused before validation. */
    readonly items: number;
    /** The call's share of worker compute time in seconds (its batch's time × its rows ÷ the batch's rows). */
    readonly compute_seconds: number;
    readonly prompt_tokens?: number;
    readonly completion_tokens?: number;
  };
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}

/** The usage part of the audit record (src/usage); routes of their own (generation) can reuse it. */
export function usageFields(request: FastifyRequest): Pick<AuditRecord['inference'], 'tenant' | 'items' | 'compute_seconds' | 'prompt_tokens' | 'completion_tokens'> {
  const tenant = tenantOfPrincipal(request.principal);
  const usage = request.usage;
  return {
    ...(tenant !== undefined && { tenant }),
    items: usage?.items ?? 0,
    // Microsecond resolution: the report sums thousands of these.
    compute_seconds: Math.round((usage?.computeSeconds ?? 0) * 1e6) / 1e6,
    ...(usage?.promptTokens !== undefined && { prompt_tokens: usage.promptTokens }),
    ...(usage?.completionTokens !== undefined && { completion_tokens: usage.completionTokens }),
  };
}

export function auditRecord(request: FastifyRequest, reply: FastifyReply): AuditRecord {
  const status = reply.statusCode;
  const latencyMs = reply.elapsedTime;
  const labels = request.inferenceLabels ?? { model: 'unknown', version: 'unknown' };
  return {
    event: {
      kind: 'event',
      category: ['web'],
      type: ['access'],
      action: 'inference',
      outcome: status < 400 ? 'success' : 'failure',
      dataset: 'inference.audit',
      duration: Math.round(latencyMs * 1e6),
    },
    labels: { audit: 'true' },
    user: { id: request.principal?.subject ?? 'unauthenticated' },
    ...(request.principal?.tenant ? { organization: { id: request.principal.tenant } } : {}),
    http: { request: { method: request.method }, response: { status_code: status } },
    url: { path: request.grpcMethod ? `/${serviceName}/${request.grpcMethod}` : pathOf(request) },
    ...(request.grpcMethod ? { network: { protocol: 'grpc' as const } } : {}),
    inference: {
      model: labels.model,
      version: labels.version,
      status,
      latency_ms: Math.round(latencyMs * 1000) / 1000,
      cache_hit: request.cacheOutcome === 'hit',
      cache: request.cacheOutcome ?? 'bypass',
      scopes: request.scopeUsed ? [request.scopeUsed] : [],
      ...(request.grpcMethod ? { grpc_code: grpcCodeName(grpcCodeOf(status)) } : {}),
      ...(request.generationOutcome && {
        generation: {
          finish_reason: request.generationOutcome.finishReason,
          prompt_tokens: request.generationOutcome.promptTokens,
          completion_tokens: request.generationOutcome.completionTokens,
        },
      }),
      ...usageFields(request),
    },
  };
}

const accessLogPlugin: FastifyPluginAsync = async (app) => {
  // The audit record is built here from a fixed set of fields (subject, model, status, ...) and never holds a
  // header, token or secret, so pino's redaction (logging/options.ts) has nothing to find in it — yet its wildcard
  // paths cost ~16 µs of main-thread CPU per line, twice the rest of the record (measured, docs/benchmark.md). The audit
  // line therefore goes through a child without redaction; every other line keeps it.
  const auditLog = app.log.child({}, { redact: [] });
  // pino loggers answer isLevelEnabled (skip building the record at LOG_LEVEL=warn); Fastify's null logger does not.
  const levels = auditLog as { isLevelEnabled?: (level: string) => boolean };
  const auditEnabled = (): boolean => levels.isLevelEnabled?.('info') ?? true;

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // W3C Server-Timing: time from the first byte received to the reply, so a client (or a benchmark running on
    // the same busy machine) can tell server time from its own queueing.
    reply.header('server-timing', `total;dur=${reply.elapsedTime.toFixed(2)}`);
    done(null, payload);
  });

  const log = (request: FastifyRequest, reply: FastifyReply): void => {
    const kind = routeKind(request.routeOptions.url);
    if (kind === 'infer') {
      if (auditEnabled()) auditLog.info({ [requestIdLogLabel]: request.id, ...traceLogFields(request), ...auditRecord(request, reply) }, 'inference audit');
      return;
    }
    const record = {
      event: { kind: 'event', category: ['web'], type: ['access'], dataset: 'inference.access', duration: Math.round(reply.elapsedTime * 1e6) },
      http: { request: { method: request.method }, response: { status_code: reply.statusCode } },
      url: { path: request.grpcMethod ? `/${serviceName}/${request.grpcMethod}` : pathOf(request) },
      ...(request.grpcMethod ? { network: { protocol: 'grpc' } } : {}),
      ...(request.principal ? { user: { id: request.principal.subject } } : {}),
    };
    if (kind === 'health') request.log.debug(record, 'request');
    else request.log.info(record, 'request');
  };

  app.addHook('onResponse', (request, reply, done) => {
    log(request, reply);
    done();
  });
};

export default fp(accessLogPlugin, { name: 'inference-access-log', fastify: '5.x' });
