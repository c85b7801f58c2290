/**
 * Development tool: signs a JWT for a local run with AUTH_MODE=jwt (README "Production features").
 *
 *   npm run token -w services/inference -- <private-key.pem> [sub] [scope] [lifetime-seconds] [tenant]
 *
 * Environment: JWT_ISSUER and JWT_AUDIENCE (the same values the service gets), JWT_ALGORITHMS (first entry used,
 * default RS256). Production tokens come from the identity provider, never from this script.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';

const [keyFile, sub = 'dev-user', scope = 'infer models:read', lifetime = '3600', tenant] = process.argv.slice(2);
const issuer = process.env.JWT_ISSUER;
const audience = process.env.JWT_AUDIENCE;
if (!keyFile || !issuer || !audience) {
  console.error('usage: JWT_ISSUER=… JWT_AUDIENCE=… mint-dev-token <private-key.pem> [sub] [scope] [lifetime-seconds] [tenant]');
  process.exit(2);
}
const seconds = Number(lifetime);
if (!Number.isInteger(seconds) || seconds < 1) {
  console.error(`lifetime-seconds must be a positive integer, got "${lifetime}"`);
  process.exit(2);
}
const alg = (process.env.JWT_ALGORITHMS ?? 'RS256').split(',')[0]?.trim() || 'RS256';
const key = createPrivateKey(readFileSync(keyFile));
// `tenant`: the default JWT_TENANT_CLAIM, so usage reports and cache partitions see the tenant (src/usage).
const token = await new SignJWT({ scope, ...(tenant ? { tenant } : {}) })
  .setProtectedHeader({ alg })
  .setSubject(sub)
  .setIssuer(issuer)
  .setAudience(audience.split(',')[0] as string)
  .setIssuedAt()
  .setExpirationTime(`${seconds}s`)
  .sign(key);
console.log(token);
