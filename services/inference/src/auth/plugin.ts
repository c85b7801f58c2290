/**
 * Authentication (who) and authorization (may they) for every route but the health probes.
 *
 * 401 when the caller is not authenticated (no, malformed or invalid bearer token), 403 when authenticated but
 * lacking the route's scope — each with a `WWW-Authenticate: Bearer` challenge carrying the RFC 6750 error code
 * (no code when no credentials were sent, RFC 6750 §3.1).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { requiredScope, routeKind } from './route-policy.js';
import { AuthError, type Principal, type TokenVerifier } from './verifier.js';

export interface AuthPluginOptions {
  /** undefined = AUTH_MODE=none: every caller is the anonymous principal with every scope. */
  readonly verify?: TokenVerifier;
  /** Counts refusals by reason (inference_auth_failures_total). */
  readonly failures?: Pick<Counter<'reason'>, 'inc'>;
  /** realm in the challenge. */
  readonly realm?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller (anonymous with AUTH_MODE=none); undefined on open routes. */
    principal?: Principal;
    /** The scope this request needed and used, for the audit record. */
    scopeUsed?: string;
  }
}

export const anonymousPrincipal: Principal = {
  subject: 'anonymous',
  tenant: '',
  scopes: new Set(['infer', 'models:read', 'admin']),
  authenticated: false,
};

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, opts) => {
  const realm = opts.realm ?? 'inference';

  function refuse(reply: FastifyReply, status: number, reason: string, message: string, params: string[]): FastifyReply {
    opts.failures?.inc({ reason });
    reply.header('www-authenticate', [`Bearer realm=${quoted(realm)}`, ...params].join(', '));
    return reply.code(status).send({ error: message });
  }

  const verify = opts.verify;
  if (verify === undefined) {
    // AUTH_MODE=none: nothing to wait for, so a callback-style hook (no promise per request).
    app.addHook('onRequest', (request, _reply, done) => {
      const scope = requiredScope(routeKind(request.routeOptions.url));
      if (scope !== undefined) {
        request.principal = anonymousPrincipal;
        request.scopeUsed = scope;
      }
      done();
    });
    return;
  }

  app.addHook('onRequest', async (request, reply) => {
    const scope = requiredScope(routeKind(request.routeOptions.url));
    if (scope === undefined) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header) : null;
    if (header === undefined || (match === null && !/^bearer\b/i.test(String(header)))) {
      return refuse(reply, 401, 'missing_token', 'authentication required: send Authorization: Bearer <token>', []);
    }
    if (match === null) {
      return refuse(reply, 401, 'invalid_token', 'malformed bearer token', ['error="invalid_token"', 'error_description="malformed bearer token"']);
    }
    let principal: Principal;
    try {
      principal = await verify(match[1] as string);
    } catch (error) {
      const e = error instanceof AuthError ? error : new AuthError('unavailable', 'token could not be verified');
      if (e.code === 'unavailable') {
        request.log.error({ err: error }, 'token verification unavailable');
        opts.failures?.inc({ reason: 'unavailable' });
        return reply.code(503).header('retry-after', '5').send({ error: e.message });
      }
      return refuse(reply, 401, 'invalid_token', e.message, ['error="invalid_token"', `error_description=${quoted(e.message)}`]);
    }
    request.principal = principal;
    if (!principal.scopes.has(scope)) {
      return refuse(reply, 403, 'insufficient_scope', `token lacks the "${scope}" scope this route requires`, [
        'error="insufficient_scope"',
        `scope=${quoted(scope)}`,
      ]);
    }
    request.scopeUsed = scope;
  });
};

export default fp(authPlugin, { name: 'inference-auth', fastify: '5.x' });
