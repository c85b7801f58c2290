/** The JWT attack table of issue 3: each forged or broken token and the answer it must get. */
import { hs256WithPublicKey, sign, unsignedToken, type Keys } from './tokens.js';

export interface AttackCase {
  readonly name: string;
  readonly headers: Record<string, string>;
  readonly status: number;
  /** Pattern the WWW-Authenticate header must match (401/403). */
  readonly challenge?: RegExp;
  /** True for the one case that must succeed. */
  readonly scope?: boolean;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function attackTable(keys: Keys): Promise<AttackCase[]> {
  return [
    { name: 'no token', headers: {}, status: 401, challenge: /^Bearer realm="inference"$/ },
    { name: 'Basic credentials instead of a bearer token', headers: { authorization: 'Basic YWxpY2U6cHc=' }, status: 401, challenge: /^Bearer realm="inference"$/ },
    { name: 'malformed token', headers: bearer('not.a.jwt'), status: 401, challenge: /error="invalid_token"/ },
    { name: 'malformed header', headers: { authorization: 'Bearer a b c' }, status: 401, challenge: /error="invalid_token"/ },
    { name: 'alg none', headers: bearer(unsignedToken()), status: 401, challenge: /error="invalid_token"/ },
    { name: 'HS256 signed with the public key', headers: bearer(await hs256WithPublicKey(keys.publicPem)), status: 401, challenge: /error="invalid_token"/ },
    { name: 'signed by another key', headers: bearer(await sign({ ...keys, privateKey: (await import('./tokens.js')).rsaKeys().privateKey })), status: 401, challenge: /signature invalid/ },
    { name: 'expired', headers: bearer(await sign(keys, { expIn: -120 })), status: 401, challenge: /error_description="token expired"/ },
    { name: 'no exp', headers: bearer(await sign(keys, { expIn: null })), status: 401, challenge: /lacks the exp claim/ },
    { name: 'not yet valid', headers: bearer(await sign(keys, { nbfIn: 600 })), status: 401, challenge: /not yet valid/ },
    { name: 'wrong issuer', headers: bearer(await sign(keys, { iss: 'https://evil.test' })), status: 401, challenge: /unexpected issuer/ },
    { name: 'wrong audience', headers: bearer(await sign(keys, { aud: 'other-api' })), status: 401, challenge: /unexpected audience/ },
    { name: 'missing scope', headers: bearer(await sign(keys, { scope: 'models:read' })), status: 403, challenge: /error="insufficient_scope", scope="infer"/ },
    { name: 'expired 10 s ago (within clock tolerance)', headers: bearer(await sign(keys, { expIn: -10 })), status: 200, scope: true },
    { name: 'valid', headers: bearer(await sign(keys, { scope: 'infer' })), status: 200, scope: true },
  ];
}
