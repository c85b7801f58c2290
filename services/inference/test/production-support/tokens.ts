/** Key pairs and token factories for the JWT attack table. */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';

export const issuer = 'https://issuer.test';
export const audience = 'inference';

export function rsaKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey, privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export type Keys = ReturnType<typeof rsaKeys>;

export interface TokenSpec {
  readonly scope?: string;
  readonly sub?: string;
  readonly tenant?: string;
  readonly iss?: string;
  readonly aud?: string;
  /** Seconds from now. */
  readonly expIn?: number | null;
  readonly nbfIn?: number;
  readonly kid?: string;
}

export async function sign(keys: Keys, spec: TokenSpec = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { scope: spec.scope ?? 'infer models:read' };
  if (spec.tenant) claims.tenant = spec.tenant;
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', ...(spec.kid ? { kid: spec.kid } : {}) })
    .setSubject(spec.sub ?? 'alice')
    .setIssuer(spec.iss ?? issuer)
    .setAudience(spec.aud ?? audience)
    .setIssuedAt(now);
  if (spec.expIn !== null) jwt = jwt.setExpirationTime(now + (spec.expIn ?? 300));
  if (spec.nbfIn !== undefined) jwt = jwt.setNotBefore(now + spec.nbfIn);
  return jwt.sign(keys.privateKey);
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** An unsigned token (`alg: none`), valid in every other respect. */
export function unsignedToken(scope = 'infer'): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ sub: 'mallory', iss: issuer, aud: audience, exp: now + 300, scope }));
  return `${header}.${body}.`;
}

/** The key-confusion attack: HS256 with the server's RSA public key (PEM text) as the HMAC secret. */
export async function hs256WithPublicKey(publicPem: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'infer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('mallory')
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime(now + 300)
    .sign(new TextEncoder().encode(publicPem));
}

export async function jwksOf(keys: Keys, kid: string) {
  return { keys: [{ ...(await exportJWK(keys.publicKey)), kid, alg: 'RS256', use: 'sig' }] };
}
