import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authConfigFromEnv } from '../src/auth/config.js';
import { routeKind, requiredScope } from '../src/auth/route-policy.js';
import { rsaKeys } from './production-support/tokens.js';

const pem = rsaKeys().publicPem;
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const base = { JWT_ISSUER: 'https://issuer', JWT_AUDIENCE: 'inference', JWT_PUBLIC_KEY: pem };

describe('auth settings', () => {
  it('defaults to jwt with RS256 and 30 s clock tolerance', () => {
    const config = authConfigFromEnv(base);
    expect(config.mode).toBe('jwt');
    expect(config.algorithms).toEqual(['RS256']);
    expect(config.clockToleranceSeconds).toBe(30);
  });

  it.each([
    [{ JWT_ALGORITHMS: 'RS256,none' }, /never contain "none"/],
    [{ JWT_ALGORITHMS: 'HS256,RS256' }, /mixes HMAC \(HS256\) with public-key/],
    [{ JWT_ALGORITHMS: 'XX999' }, /unknown algorithm "XX999"/],
    [{ JWT_ISSUER: '' }, /needs JWT_ISSUER/],
    [{ JWT_AUDIENCE: '' }, /needs JWT_AUDIENCE/],
    [{ JWKS_URL: 'https://issuer/jwks' }, /exactly one of JWT_PUBLIC_KEY/],
    [{ JWT_PUBLIC_KEY: '', JWKS_URL: 'not a url' }, /JWKS_URL is not a URL/],
    [{ JWT_PUBLIC_KEY: '', JWKS_URL: 'http://issuer.example/jwks' }, /JWKS_URL must use https/],
    [{ JWT_PUBLIC_KEY: '', JWKS_URL: 'ftp://issuer.example/jwks' }, /JWKS_URL must use https/],
    [{ JWT_ALGORITHMS: 'HS256' }, /HS\* algorithms take JWT_SECRET/],
    [{ JWT_ALGORITHMS: 'HS256', JWT_PUBLIC_KEY: '', JWT_SECRET: 'short' }, /at least 32 bytes/],
    [{ AUTH_MODE: 'basic' }, /AUTH_MODE must be "jwt" or "none"/],
    [{ JWT_CLOCK_TOLERANCE_SECONDS: '3600' }, /JWT_CLOCK_TOLERANCE_SECONDS must be an integer 0..300/],
    [{ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----' }, /JWT_PUBLIC_KEY is not a PEM public key/],
    [{ JWT_PUBLIC_KEY: ecPem }, /JWT_PUBLIC_KEY holds an ec key, which none of JWT_ALGORITHMS \(RS256\) verifies with/],
    [{ JWT_PUBLIC_KEY: '', JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }, /JWT_PUBLIC_KEY_FILE: cannot read "\/nonexistent\/key.pem"/],
  ])('refuses %o', (override, message) => {
    expect(() => authConfigFromEnv({ ...base, ...override })).toThrow(message);
  });

  it('accepts a key that an allowed algorithm verifies with', () => {
    expect(authConfigFromEnv({ ...base, JWT_PUBLIC_KEY: ecPem, JWT_ALGORITHMS: 'ES256' }).algorithms).toEqual(['ES256']);
    expect(authConfigFromEnv({ ...base, JWT_ALGORITHMS: 'PS256,RS256' }).publicKeyPem).toBe(pem.trim());
  });

  it('accepts an https JWKS_URL, and plain http only on loopback', () => {
    expect(authConfigFromEnv({ ...base, JWT_PUBLIC_KEY: '', JWKS_URL: 'https://issuer.example/jwks' }).jwksUrl?.href).toBe('https://issuer.example/jwks');
    expect(authConfigFromEnv({ ...base, JWT_PUBLIC_KEY: '', JWKS_URL: 'http://127.0.0.1:8443/jwks' }).jwksUrl?.port).toBe('8443');
  });

  it('accepts AUTH_MODE=none without any key', () => {
    expect(authConfigFromEnv({ AUTH_MODE: 'none' }).mode).toBe('none');
  });
});

describe('route policy', () => {
  it.each([
    ['/v2/health/ready', 'health', undefined],
    ['/v2/health/live', 'health', undefined],
    ['/v2/models/:model/infer', 'infer', 'infer'],
    ['/v2/models/:model/versions/:version/infer', 'infer', 'infer'],
    ['/v2/models/:model', 'metadata', 'models:read'],
    ['/v2', 'metadata', 'models:read'],
    ['/v2/admin/cache/purge', 'admin', 'admin'],
    ['/v2/repository/models/:model/load', 'admin', 'admin'],
    [undefined, 'unmatched', undefined],
  ])('%s is %s and needs %s', (url, kind, scope) => {
    expect(routeKind(url)).toBe(kind);
    expect(requiredScope(routeKind(url))).toBe(scope);
  });
});
