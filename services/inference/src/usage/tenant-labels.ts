/**
 * Bounded tenant label values for the usage counters.
 *
 * With an allow-list (USAGE_TENANTS) a tenant keeps its name when listed, else it is "other". Without one, the first
 * USAGE_MAX_TENANTS distinct tenants this process sees keep their names and later ones are "other". That is
 * first-come, not a true top-N by volume: a counter series cannot move from "other" to its own label later without
 * breaking `rate()` over the move, so a tenant's label must be decided once. The exact split is always in the audit
 * records (npm run usage); the metrics answer "who is busy right now" for the tenants that matter.
 */
import { otherTenant, type UsageConfig } from './config.js';

export class TenantLabels {
  private readonly admitted = new Set<string>();
  private readonly allowList?: ReadonlySet<string>;

  constructor(private readonly config: UsageConfig) {
    if (config.tenants !== undefined) this.allowList = new Set(config.tenants);
  }

  /** The label value for `tenant`. */
  labelOf(tenant: string): string {
    if (this.allowList !== undefined) return this.allowList.has(tenant) ? tenant : otherTenant;
    if (this.admitted.has(tenant)) return tenant;
    if (this.admitted.size >= this.config.maxTenants || tenant === otherTenant || tenant.length > 64) return otherTenant;
    this.admitted.add(tenant);
    return tenant;
  }
}
