/**
 * Renders the service's alert rule groups (stacks/components/observability/alert-rules.ts, the same list the
 * cluster's PrometheusRule carries) to a Prometheus rule file, for `promtool check rules`, `promtool test rules`
 * and the local rehearsal's Prometheus.
 *
 *   npx tsx pipelines/prometheus/render-rules.ts <out.yml> [--drift-window-minutes N --drift-for-minutes N]
 *
 * The drift options shorten the drift alert's window and `for` for a local walkthrough (docs/usage-and-drift.md),
 * which cannot wait the SLO's hour; the cluster's PrometheusRule always uses policies/slo.ts.
 */
import { parseArgs } from 'node:util';
import { slo } from '../../policies/slo.js';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { alertRuleGroups, driftRuleGroup, type AlertRuleGroup } from '../../stacks/components/observability/alert-rules.js';

/** The rule file's text: `groups:` exactly as Prometheus loads it. */
export function renderRuleFile(groups: readonly AlertRuleGroup[] = alertRuleGroups()): string {
  return `# Rendered from stacks/components/observability/alert-rules.ts; do not edit.\n${stringify({ groups })}`;
}

export async function writeRuleFile(path: string, groups: readonly AlertRuleGroup[] = alertRuleGroups()): Promise<void> {
  await writeFile(path, renderRuleFile(groups));
}

const usage = 'usage: tsx pipelines/prometheus/render-rules.ts <out.yml> [--drift-window-minutes N --drift-for-minutes N]';

function minutes(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got "${raw}"\n${usage}`);
    process.exit(2);
  }
  return value;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let parsed;
  try {
    parsed = parseArgs({ options: { 'drift-window-minutes': { type: 'string' }, 'drift-for-minutes': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  const out = parsed.positionals[0];
  if (!out) {
    console.error(usage);
    process.exit(2);
  }
  const drift = {
    ...slo.drift,
    windowMinutes: minutes('drift-window-minutes', parsed.values['drift-window-minutes'], slo.drift.windowMinutes, 1),
    forMinutes: minutes('drift-for-minutes', parsed.values['drift-for-minutes'], slo.drift.forMinutes, 0),
  };
  await writeRuleFile(out, alertRuleGroups().map((g) => (g.name === 'inference-drift' ? driftRuleGroup(drift) : g)));
  console.log(`wrote ${out}`);
}
