/**
 * Bearer token verification with jose: allow-listed algorithms, issuer, audience, required exp and sub, small
 * clock tolerance. Returns the caller as a Principal or throws an AuthError carrying the RFC 6750 error code.
 */
import { createPublicKey } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import type { AuthConfig } from './config.js';

export interface Principal {
  /** `sub` of the token, or "anonymous" with AUTH_MODE=none. */
  readonly subject: string;
  /** Tenant claim (JWT_TENANT_CLAIM) or the subject (audit `organization.id`). */
  readonly tenant: string;
  /**
   * Cache partition: `tenant:<claim>` or `sub:<sub>`, so a subject whose `sub` happens to equal some tenant's name
   * (a client id chosen at registration, say) cannot read that tenant's cached answers. Unset: the shared partition.
   */
  readonly partition?: string;
  readonly scopes: ReadonlySet<string>;
  readonly authenticated: boolean;
}

/** RFC 6750 §3.1 error codes, plus `unavailable` when the key set cannot be fetched (a server problem: 503). */
export type AuthErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'unavailable';

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type TokenVerifier = (token: string) => Promise<Principal>;

function describe(error: unknown): AuthError {
  if (error instanceof errors.JWTExpired) return new AuthError('invalid_token', 'token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const what: Record<string, string> = { nbf: 'token not yet valid', iss: 'unexpected issuer', aud: 'unexpected audience' };
    const missing = error.reason === 'missing' ? `token lacks the ${error.claim} claim` : undefined;
    return new AuthError('invalid_token', missing ?? what[error.claim] ?? `claim "${error.claim}" rejected`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthError('invalid_token', 'token algorithm not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthError('invalid_token', 'signature invalid');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthError('invalid_token', 'no key matches the token');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new AuthError('unavailable', 'signing keys unavailable');
  }
  if (error instanceof errors.JOSEError) return new AuthError('invalid_token', 'malformed token');
  // Anything else (network failure fetching the JWKS, for example) is ours, not the caller's.
  return new AuthError('unavailable', 'token could not be verified');
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scope = payload.scope;
  if (typeof scope === 'string') return new Set(scope.split(' ').filter(Boolean));
  // Some issuers (Azure AD `scp`, Okta arrays) use a list; accept an array of strings too.
  if (Array.isArray(scope)) return new Set(scope.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

/** The first of `claims` that the token carries as a non-empty string. */
export function tenantOf(payload: JWTPayload, claims: readonly string[]): string | undefined {
  for (const claim of claims) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export function createVerifier(config: AuthConfig): TokenVerifier {
  let key: KeyObject | Uint8Array | JWTVerifyGetKey;
  if (config.secret !== undefined) key = new TextEncoder().encode(config.secret);
  else if (config.publicKeyPem !== undefined) key = createPublicKey(config.publicKeyPem);
  else if (config.jwksUrl !== undefined) {
    // jose caches the set for 10 min and refetches on an unknown kid (key rotation), at most once per cooldown
    // so a flood of tokens with random kids cannot hammer the issuer.
    key = createRemoteJWKSet(config.jwksUrl, {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: config.jwksCooldownSeconds * 1000,
      timeoutDuration: 5_000,
    });
  } else throw new Error('no JWT key configured');

  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as KeyObject, {
        algorithms: [...config.algorithms],
        issuer: config.issuer,
        audience: config.audience ? [...config.audience] : undefined,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      const subject = payload.sub as string;
      const tenantClaim = tenantOf(payload, config.tenantClaims);
      const claimed = tenantClaim !== undefined;
      const tenant = tenantClaim ?? subject;
      return { subject, tenant, partition: claimed ? `tenant:${tenant}` : `sub:${subject}`, scopes: scopesOf(payload), authenticated: true };
    } catch (error) {
      throw describe(error);
    }
  };
}
