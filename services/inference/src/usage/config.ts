/**
 * Tenant usage settings: how many tenants get their own Prometheus label. The audit record always names the
 * exact tenant; only the metrics are bounded (each label value is a time series per model version and counter).
 */
import { positiveInt } from '../cache/config.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface UsageConfig {
  /** USAGE_TENANTS: comma-separated allow-list; when set, only these tenants get a label, the rest are "other". */
  readonly tenants?: readonly string[];
  /** USAGE_MAX_TENANTS (default 50): without an allow-list, the first this many tenants seen get a label. */
  readonly maxTenants: number;
}

/** Label value of every tenant beyond the allow-list or the first USAGE_MAX_TENANTS. */
export const otherTenant = 'other';

const labelSafe = /^[A-Za-z0-9._:@\-]{1,64}$/;

export function usageConfigFromEnv(env: Env): UsageConfig {
  const maxTenants = positiveInt(env, 'USAGE_MAX_TENANTS', 50, 0);
  const raw = env.USAGE_TENANTS?.trim();
  if (!raw) return { maxTenants };
  const tenants = raw.split(',').map((t) => t.trim()).filter(Boolean);
  for (const tenant of tenants) {
    if (!labelSafe.test(tenant)) throw new Error(`USAGE_TENANTS: "${tenant}" is not 1–64 characters of letters, digits and ._:@-`);
    if (tenant === otherTenant) throw new Error(`USAGE_TENANTS must not list "${otherTenant}": it is the label of every unlisted tenant`);
  }
  return { tenants, maxTenants };
}
