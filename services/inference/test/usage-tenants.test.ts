/** Tenant attribution and the bounds on tenant label values. */
import { describe, expect, it } from 'vitest';
import { authConfigFromEnv } from '../src/auth/config.js';
import { tenantOf } from '../src/auth/verifier.js';
import { anonymousPrincipal } from '../src/auth/plugin.js';
import { usageConfigFromEnv } from '../src/usage/config.js';
import { tenantOfPrincipal } from '../src/usage/meter.js';
import { TenantLabels } from '../src/usage/tenant-labels.js';

describe('tenant attribution', () => {
  it('JWT_TENANT_CLAIM defaults to tenant, then org_id; the first non-empty string wins', () => {
    const claims = authConfigFromEnv({ AUTH_MODE: 'none' }).tenantClaims;
    expect(claims).toEqual(['tenant', 'org_id']);
    expect(tenantOf({ tenant: 'acme', org_id: 'globex' }, claims)).toBe('acme');
    expect(tenantOf({ tenant: '', org_id: 'globex' }, claims)).toBe('globex');
    expect(tenantOf({ org_id: 42 }, claims)).toBeUndefined();
    expect(tenantOf({ tid: 'azure-tenant' }, authConfigFromEnv({ AUTH_MODE: 'none', JWT_TENANT_CLAIM: 'tid, tenant' }).tenantClaims)).toBe('azure-tenant');
  });

  it('AUTH_MODE=none bills everything to "anonymous"', () => {
    expect(tenantOfPrincipal(anonymousPrincipal)).toBe('anonymous');
    expect(tenantOfPrincipal(undefined)).toBeUndefined();
  });
});

describe('tenant label bounds', () => {
  it('an allow-list keeps listed tenants and maps the rest to "other"', () => {
    const labels = new TenantLabels(usageConfigFromEnv({ USAGE_TENANTS: 'acme, globex' }));
    expect(['acme', 'globex', 'initech', 'anonymous'].map((t) => labels.labelOf(t))).toEqual(['acme', 'globex', 'other', 'other']);
  });

  it('without one, the first USAGE_MAX_TENANTS tenants keep their label for good, later ones are "other"', () => {
    const labels = new TenantLabels(usageConfigFromEnv({ USAGE_MAX_TENANTS: '2' }));
    expect(['a', 'b', 'c', 'a', 'b', 'c', 'd'].map((t) => labels.labelOf(t))).toEqual(['a', 'b', 'other', 'a', 'b', 'other', 'other']);
  });

  it('a tenant literally named "other" cannot take a slot', () => {
    const labels = new TenantLabels(usageConfigFromEnv({ USAGE_MAX_TENANTS: '1' }));
    expect(labels.labelOf('other')).toBe('other');
    expect(labels.labelOf('acme')).toBe('acme');
  });

  it('bad settings name the variable', () => {
    expect(() => usageConfigFromEnv({ USAGE_TENANTS: 'acme,other' })).toThrow('USAGE_TENANTS must not list "other"');
    expect(() => usageConfigFromEnv({ USAGE_TENANTS: 'a b' })).toThrow('USAGE_TENANTS: "a b" is not 1–64 characters');
    expect(() => usageConfigFromEnv({ USAGE_MAX_TENANTS: '-1' })).toThrow('USAGE_MAX_TENANTS must be an integer ≥ 0');
  });
});
