/**
 * Renders the canary route model (stacks/components/gateway/route-model.ts) as an HAProxy configuration: the local
 * twin of the cluster's HTTPRoute. Same weight semantics (percent of unpinned traffic to the canary), same pin header,
 * health checks on the V2 readiness endpoint, and an admin stats socket so the rollout driver can move the weight at
 * runtime without a reload.
 */
import { validateRouteModel, type CanaryRouteModel } from '../../stacks/components/gateway/route-model.js';

export interface HaproxyRenderOptions {
  readonly route: CanaryRouteModel;
  /** Loopback port HAProxy listens on for client traffic. */
  readonly listenPort: number;
  /** Unix socket of the runtime API (`level admin`: needed for `set weight`). */
  readonly statsSocket: string;
  /** Host the backends listen on; the cluster uses Service names, the rehearsal 127.0.0.1. */
  readonly backendHost?: string;
  /** Health-check interval in milliseconds; short locally so a dead canary leaves rotation within seconds. */
  readonly checkIntervalMs?: number;
  /**
   * How long one health check may wait for the readiness answer once connected (`timeout check`). Without it HAProxy
   * uses `inter` as the whole check timeout, so a backend stalled for longer than a short `inter` (a busy machine, a
   * GC pause) counts as failed although it is alive. A refused connection still fails at once.
   */
  readonly checkTimeoutMs?: number;
}

/**
 * Consecutive failed checks before a server leaves rotation: a crashed canary (connection refused) is out after about
 * 3 × `inter`, while a single stalled check on a loaded machine does not flap a healthy server.
 */
const checkFall = 3;

/** Backend and server names the runtime API addresses (`set weight <backend>/<server>`). */
export const haproxyNames = {
  splitBackend: 'inference',
  pinnedBackend: 'inference_canary_pinned',
} as const;

/**
 * The configuration text. Servers get weights `100 - canaryWeight` and `canaryWeight`, so HAProxy's weighted
 * round robin sends exactly the model's percentage of requests to the canary (HAProxy weights range 0–256).
 */
export function renderHaproxyConfig(options: HaproxyRenderOptions): string {
  const route = validateRouteModel(options.route);
  const host = options.backendHost ?? '127.0.0.1';
  const inter = positiveMs('checkIntervalMs', options.checkIntervalMs ?? 1000);
  const checkTimeoutMs = positiveMs('checkTimeoutMs', options.checkTimeoutMs ?? 2000);
  const check = `check inter ${inter}ms fall ${checkFall} rise 2`;
  // With `timeout check` set, a check's connect timeout is min(timeout connect, inter) and this is the read timeout
  // on top (https://docs.haproxy.org/2.6/configuration.html#4-timeout%20check).
  const checkTimeout = `    timeout check ${checkTimeoutMs}ms`;
  const pin = route.pinHeader;
  const stable = `${host}:${route.stable.port}`;
  const canary = `${host}:${route.canary.port}`;
  return [
    '# Rendered from the canary route model by pipelines/haproxy/config.ts; do not edit.',
    'global',
    `    stats socket ${options.statsSocket} mode 600 level admin`,
    '    maxconn 4096',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 30s',
    '    timeout server 30s',
    '    timeout http-keep-alive 10s',
    // Forward each server-sent event as it comes instead of merging small writes (MSG_MORE): token streams of
    // /v1 and generate_stream (https://docs.haproxy.org/2.6/configuration.html#4-option%20http-no-delay).
    '    option http-no-delay',
    '',
    'frontend clients',
    `    bind 127.0.0.1:${options.listenPort}`,
    `    acl in_route path_beg ${route.pathPrefix}`,
    `    acl pinned_to_canary req.hdr(${pin.name}) -m str ${pin.value}`,
    '    http-request deny deny_status 404 unless in_route',
    `    use_backend ${haproxyNames.pinnedBackend} if pinned_to_canary`,
    `    default_backend ${haproxyNames.splitBackend}`,
    '',
    `backend ${haproxyNames.splitBackend}`,
    '    balance roundrobin',
    checkTimeout,
    '    option httpchk GET /v2/health/ready',
    '    http-check expect status 200',
    `    server ${route.stable.name} ${stable} weight ${100 - route.canaryWeight} ${check}`,
    `    server ${route.canary.name} ${canary} weight ${route.canaryWeight} ${check}`,
    '',
    `backend ${haproxyNames.pinnedBackend}`,
    checkTimeout,
    '    option httpchk GET /v2/health/ready',
    '    http-check expect status 200',
    `    server ${route.canary.name} ${canary} ${check}`,
    '',
  ].join('\n');
}

function positiveMs(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number of milliseconds, got ${value}`);
  return value;
}
