/**
 * Which kind of route a request hits, decided from the route pattern Fastify matched (not the raw URL, so
 * `/v2/models/x/infer?y` and percent-encodings cannot sneak past), and the scope each kind requires.
 *
 * The production plugins (auth, metrics, cache, limits, fault, audit) all act on "inference calls"; this is the one
 * place that says what an inference call is.
 */
export type RouteKind = 'health' | 'infer' | 'metadata' | 'admin' | 'unmatched';

/** OAuth2 scopes (the `scope` claim, space-separated per RFC 8693 §4.2). */
export type Scope = 'infer' | 'models:read' | 'admin';

/**
 * Text generation (OpenAI completions and chat, V2 generate and generate_stream) is an inference call like infer:
 * same scope, audit record, rate limit, admission gate and metrics.
 */
export function isGenerateRoute(pattern: string): boolean {
  return pattern === '/v1/completions' || pattern === '/v1/chat/completions' || pattern.endsWith('/generate') || pattern.endsWith('/generate_stream');
}

export function routeKind(pattern: string | undefined): RouteKind {
  if (!pattern) return 'unmatched';
  if (pattern.startsWith('/v2/health/')) return 'health';
  if (pattern.startsWith('/v2/admin') || pattern.startsWith('/v2/repository')) return 'admin';
  if (pattern.endsWith('/infer') || isGenerateRoute(pattern)) return 'infer';
  if (pattern === '/v1/models' || pattern.startsWith('/v1/models/')) return 'metadata';
  if (pattern === '/v2' || pattern.startsWith('/v2/')) return 'metadata';
  return 'unmatched';
}

/** The scope a route kind requires; undefined means the route is open (health probes, 404s). */
export function requiredScope(kind: RouteKind): Scope | undefined {
  switch (kind) {
    case 'infer':
      return 'infer';
    case 'metadata':
      return 'models:read';
    case 'admin':
      return 'admin';
    default:
      return undefined;
  }
}

/** `{ model, version }` route params when present, whatever the route's params type says. */
export function modelParams(params: unknown): { readonly model?: string; readonly version?: string } {
  if (typeof params !== 'object' || params === null) return {};
  const p = params as Record<string, unknown>;
  const pick = (k: string): string | undefined => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  return { model: pick('model') ?? pick('model_name'), version: pick('version') ?? pick('model_version') };
}
