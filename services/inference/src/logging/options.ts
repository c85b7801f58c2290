/**
 * Fastify logger and request-id options: pino emitting Elastic Common Schema JSON, secrets redacted, request id
 * taken from `x-request-id` when the caller (or the gateway) sent a sane one, generated otherwise.
 *
 * Fastify's own "incoming request"/"request completed" lines are turned off: they log Fastify objects that
 * ecs-pino-format cannot map to ECS `http.*` fields. The access plugin (access.ts) writes one ECS record per
 * request instead.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { ecsFormat } from '@elastic/ecs-pino-format';
import { LogController, type FastifyServerOptions } from 'fastify';

/** Paths pino replaces with "[REDACTED]" wherever they appear; the audit and access records never log them anyway. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'http.request.headers.authorization',
  'http.request.headers.cookie',
  'authorization',
  'token',
  'password',
  'secret',
  'apiKey',
  'encryptionKey',
  '*.token',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.encryptionKey',
];

/** ECS field carrying the request id on every request-scoped log line. */
export const requestIdLogLabel = 'http.request.id';

const requestIdPattern = /^[A-Za-z0-9._:\-]{1,128}$/;

/** The caller's `x-request-id` when it is 1–128 safe characters (logs must not be injectable), else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && requestIdPattern.test(header) ? header : randomUUID();
}

export interface LoggingOptions {
  /** LOG_LEVEL (default info). */
  readonly level: string;
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  /** Destination stream (tests capture records); stdout by default. */
  readonly stream?: NodeJS.WritableStream;
  /** Fields added to every line (pino `mixin`): the trace ids when tracing is on (src/tracing/log-ids.ts). */
  readonly mixin?: (mergeObject: object, level: number, logger: object) => Record<string, unknown>;
}

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loggingServerOptions(options: LoggingOptions): FastifyServerOptions {
  if (!levels.includes(options.level)) throw new Error(`LOG_LEVEL must be one of ${levels.join(', ')}, got "${options.level}"`);
  // No serviceName here: ecs-pino-format would then stamp a flat "event.dataset" on every record, clashing with the
  // nested event.dataset of the audit and access records. service.* go in the base bindings instead.
  const ecs = ecsFormat({ convertErr: true, convertReqRes: false, apmIntegration: false });
  return {
    logger: {
      ...ecs,
      base: {
        pid: process.pid,
        hostname: hostname(),
        'service.name': options.serviceName ?? 'inference',
        ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
      },
      level: options.level,
      redact: { paths: redactedPaths, censor: '[REDACTED]' },
      ...(options.stream ? { stream: options.stream } : {}),
      ...(options.mixin ? { mixin: options.mixin } : {}),
    },
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel, disableRequestLogging: true }),
  };
}
