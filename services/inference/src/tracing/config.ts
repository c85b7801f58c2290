/**
 * Tracing settings from the standard OpenTelemetry environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/), validated once at start.
 *
 * The SDK itself only logs a warning for a value it does not understand and carries on with a default; here a
 * bad value stops the process with a message naming the variable (the production config wraps it in a
 * ConfigError). Tracing is off unless an OTLP endpoint is configured (or the console exporter is chosen): the
 * SDK's own default of localhost:4318 would otherwise send spans nowhere on every pod.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface SamplerConfig {
  /** OTEL_TRACES_SAMPLER (default parentbased_always_on). */
  readonly name: SamplerName;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the traceidratio samplers, 0..1 (default 1). */
  readonly ratio: number;
}

export interface TracingOn {
  readonly enabled: true;
  /** OTEL_TRACES_EXPORTER: otlp (default) or console (spans printed to stdout, for debugging). */
  readonly exporter: 'otlp' | 'console';
  /** Full URL spans are POSTed to: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  readonly endpoint?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL (default http/protobuf). */
  readonly protocol: OtlpProtocol;
  readonly sampler: SamplerConfig;
  /** OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else "inference". */
  readonly serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded (key=value pairs, values percent-encoded). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

export interface TracingOff {
  readonly enabled: false;
  /** Why: shown once in the start-up log. */
  readonly reason: string;
}

export type TracingConfig = TracingOn | TracingOff;

const samplers: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const protocols: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function bool(env: Env, name: string): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

function url(name: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http:// or https:// URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${name} must be an http:// or https:// URL (this service exports OTLP over HTTP), got "${raw}"`);
  }
  return raw;
}

function endpointOf(env: Env): string | undefined {
  const traces = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) return url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces);
  const base = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base === undefined) return undefined;
  // The spec: signal paths are appended to the base endpoint (with exactly one slash).
  return `${url('OTEL_EXPORTER_OTLP_ENDPOINT', base).replace(/\/+$/, '')}/v1/traces`;
}

function protocolOf(env: Env): OtlpProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const raw = value(env, name);
    if (raw === undefined) continue;
    if ((protocols as readonly string[]).includes(raw)) return raw as OtlpProtocol;
    const hint = raw === 'grpc' ? ' (grpc is not built in: the service exports over HTTP; Jaeger and the Collector take both on 4318)' : '';
    throw new Error(`${name} must be one of ${protocols.join(', ')}, got "${raw}"${hint}`);
  }
  return 'http/protobuf';
}

function samplerOf(env: Env): SamplerConfig {
  const raw = value(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  if (!(samplers as readonly string[]).includes(raw)) {
    throw new Error(`OTEL_TRACES_SAMPLER must be one of ${samplers.join(', ')}, got "${raw}"`);
  }
  const name = raw as SamplerName;
  const arg = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (arg === undefined) return { name, ratio: 1 };
  const ratio = Number(arg);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(arg) || !(ratio >= 0 && ratio <= 1)) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1, got "${arg}"`);
  }
  return { name, ratio };
}

/** OTEL_RESOURCE_ATTRIBUTES: `key1=value1,key2=value2`, values percent-encoded (W3C Baggage octet rules). */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return attributes;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') throw new Error(`OTEL_RESOURCE_ATTRIBUTES must be comma-separated key=value pairs, got "${pair.trim()}"`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new Error(`OTEL_RESOURCE_ATTRIBUTES: the value of "${key}" is not valid percent-encoding`);
    }
    attributes[key] = decoded;
  }
  return attributes;
}

/** Reads and checks every OTEL_* setting this service honours; throws an Error naming the variable at fault. */
export function tracingConfigFromEnv(env: Env): TracingConfig {
  // Validate everything even when tracing ends up off: a typo should fail the deploy that made it, not the later
  // one that turns tracing on.
  const disabled = bool(env, 'OTEL_SDK_DISABLED');
  const exporters = (value(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((e) => e.trim()).filter(Boolean);
  for (const exporter of exporters) {
    if (!['otlp', 'console', 'none'].includes(exporter)) {
      throw new Error(`OTEL_TRACES_EXPORTER must be otlp, console or none, got "${exporter}"`);
    }
  }
  if (exporters.length > 1) throw new Error(`OTEL_TRACES_EXPORTER takes one exporter here (otlp, console or none), got "${exporters.join(',')}"`);
  const endpoint = endpointOf(env);
  const protocol = protocolOf(env);
  const sampler = samplerOf(env);
  const resourceAttributes = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceName = value(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'inference';

  if (disabled) return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  const exporter = exporters[0] ?? 'otlp';
  if (exporter === 'none') return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  if (exporter === 'otlp' && endpoint === undefined) {
    return { enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set' };
  }
  return {
    enabled: true,
    exporter: exporter as 'otlp' | 'console',
    ...(exporter === 'otlp' ? { endpoint } : {}),
    protocol,
    sampler,
    serviceName,
    resourceAttributes,
  };
}
