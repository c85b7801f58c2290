/**
 * Authentication settings from the environment, validated once at start.
 *
 * Refuses configurations that make classic JWT attacks possible: `none` in the allow-list, and HMAC algorithms
 * mixed with public-key ones (the RS256→HS256 key-confusion attack needs exactly that mix).
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { positiveInt } from '../cache/config.js';

export type AuthMode = 'jwt' | 'none';

export interface AuthConfig {
  /** AUTH_MODE: jwt (default) or none (explicit, logged as a warning). */
  readonly mode: AuthMode;
  /** JWT_ALGORITHMS (default RS256): comma-separated allow-list. */
  readonly algorithms: readonly string[];
  /** JWT_ISSUER: required `iss`. */
  readonly issuer?: string;
  /** JWT_AUDIENCE: required `aud` (comma-separated: any of them). */
  readonly audience?: readonly string[];
  /** JWT_PUBLIC_KEY (PEM text) or JWT_PUBLIC_KEY_FILE (path to PEM). */
  readonly publicKeyPem?: string;
  /** JWKS_URL: remote key set, cached and refetched on unknown `kid`. */
  readonly jwksUrl?: URL;
  /** JWKS_COOLDOWN_SECONDS (default 30): minimum time between two JWKS fetches triggered by unknown key ids. */
  readonly jwksCooldownSeconds: number;
  /** JWT_SECRET: shared secret, only with HS* algorithms. */
  readonly secret?: string;
  /** JWT_CLOCK_TOLERANCE_SECONDS (default 30): allowed clock skew for exp/nbf/iat. */
  readonly clockToleranceSeconds: number;
  /**
   * JWT_TENANT_CLAIM (default "tenant,org_id"): claims naming the tenant (cost allocation, cache partition, audit
   * `organization.id`), tried in order; the first non-empty string wins, else `sub`. `org_id` is the organisation
   * claim of Auth0 Organizations and Okta; Azure AD callers set `tid`.
   */
  readonly tenantClaims: readonly string[];
}

const hmacAlgs = ['HS256', 'HS384', 'HS512'];
const asymmetricAlgs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

type Env = Readonly<Record<string, string | undefined>>;

const loopback = new Set(['127.0.0.1', '[::1]', 'localhost']);

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function authConfigFromEnv(env: Env): AuthConfig {
  const mode = (env.AUTH_MODE?.trim() || 'jwt') as AuthMode;
  if (mode !== 'jwt' && mode !== 'none') throw new Error(`AUTH_MODE must be "jwt" or "none", got "${env.AUTH_MODE}"`);
  const toleranceRaw = env.JWT_CLOCK_TOLERANCE_SECONDS?.trim() || '30';
  const clockToleranceSeconds = Number(toleranceRaw);
  if (!Number.isInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 300) {
    throw new Error(`JWT_CLOCK_TOLERANCE_SECONDS must be an integer 0..300, got "${toleranceRaw}"`);
  }
  const tenantClaims = list(env.JWT_TENANT_CLAIM?.trim() || 'tenant,org_id');
  const jwksCooldownSeconds = positiveInt(env, 'JWKS_COOLDOWN_SECONDS', 30, 0);
  if (mode === 'none') return { mode, algorithms: [], clockToleranceSeconds, tenantClaims, jwksCooldownSeconds };

  const algorithms = list(env.JWT_ALGORITHMS ?? 'RS256');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none') throw new Error('JWT_ALGORITHMS must never contain "none" (unsigned tokens)');
    if (!hmacAlgs.includes(alg) && !asymmetricAlgs.includes(alg)) {
      throw new Error(`JWT_ALGORITHMS: unknown algorithm "${alg}" (allowed: ${[...hmacAlgs, ...asymmetricAlgs].join(', ')})`);
    }
  }
  if (algorithms.length === 0) throw new Error('JWT_ALGORITHMS is empty');
  const hmac = algorithms.filter((a) => hmacAlgs.includes(a));
  if (hmac.length > 0 && hmac.length < algorithms.length) {
    throw new Error(`JWT_ALGORITHMS mixes HMAC (${hmac.join(', ')}) with public-key algorithms; pick one family`);
  }
  const issuer = env.JWT_ISSUER?.trim();
  const audience = list(env.JWT_AUDIENCE);
  if (!issuer) throw new Error('AUTH_MODE=jwt needs JWT_ISSUER (the expected `iss` claim)');
  if (audience.length === 0) throw new Error('AUTH_MODE=jwt needs JWT_AUDIENCE (the expected `aud` claim)');

  const keyFile = env.JWT_PUBLIC_KEY_FILE?.trim();
  const publicKeyPem = env.JWT_PUBLIC_KEY?.trim() || (keyFile ? readKeyFile(keyFile) : undefined);
  const jwks = env.JWKS_URL?.trim();
  const secret = env.JWT_SECRET;
  if (hmac.length > 0) {
    if (publicKeyPem || jwks) throw new Error('HS* algorithms take JWT_SECRET, not JWT_PUBLIC_KEY or JWKS_URL');
    if (!secret || Buffer.byteLength(secret) < 32) throw new Error('HS* algorithms need JWT_SECRET of at least 32 bytes');
    return { mode, algorithms, issuer, audience, secret, clockToleranceSeconds, tenantClaims, jwksCooldownSeconds };
  }
  if (secret) throw new Error('JWT_SECRET is only valid with HS* algorithms in JWT_ALGORITHMS');
  if (publicKeyPem) checkKeyFits(publicKeyPem, algorithms, env.JWT_PUBLIC_KEY?.trim() ? 'JWT_PUBLIC_KEY' : `JWT_PUBLIC_KEY_FILE "${keyFile}"`);
  if (Boolean(publicKeyPem) === Boolean(jwks)) {
    throw new Error('AUTH_MODE=jwt needs exactly one of JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) and JWKS_URL');
  }
  let jwksUrl: URL | undefined;
  if (jwks) {
    try {
      jwksUrl = new URL(jwks);
    } catch {
      throw new Error(`JWKS_URL is not a URL: "${jwks}"`);
    }
    // Whoever can answer the key-set fetch can mint accepted tokens: plain HTTP only to this machine.
    if (jwksUrl.protocol !== 'https:' && !(jwksUrl.protocol === 'http:' && loopback.has(jwksUrl.hostname))) {
      throw new Error(`JWKS_URL must use https (plain http only on loopback), got "${jwks}"`);
    }
  }
  return { mode, algorithms, issuer, audience, publicKeyPem, jwksUrl, clockToleranceSeconds, tenantClaims, jwksCooldownSeconds };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`JWT_PUBLIC_KEY_FILE: cannot read "${path}": ${(error as Error).message}`);
  }
}

/** Key types each algorithm family verifies with (node:crypto `asymmetricKeyType`). */
function keyTypesFor(alg: string): readonly string[] {
  if (alg.startsWith('RS')) return ['rsa'];
  if (alg.startsWith('PS')) return ['rsa', 'rsa-pss'];
  if (alg.startsWith('ES')) return ['ec'];
  return alg === 'Ed25519' ? ['ed25519'] : ['ed25519', 'ed448'];
}

/**
 * Refuses at start a key that is not a public key, or that no allowed algorithm can use (an EC key with
 * JWT_ALGORITHMS=RS256 would otherwise answer every token 401 "malformed token", and a broken PEM would crash the
 * plugin registration instead of naming the variable).
 */
function checkKeyFits(pem: string, algorithms: readonly string[], label: string): void {
  let type: string | undefined;
  try {
    type = createPublicKey(pem).asymmetricKeyType;
  } catch (error) {
    throw new Error(`${label} is not a PEM public key: ${(error as Error).message}`);
  }
  if (!algorithms.some((alg) => type !== undefined && keyTypesFor(alg).includes(type))) {
    throw new Error(`${label} holds ${type === undefined ? 'a key of unknown type' : `an ${type} key`}, which none of JWT_ALGORITHMS (${algorithms.join(', ')}) verifies with`);
  }
}
