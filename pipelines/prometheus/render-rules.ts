/**
 * Renders the service's alert rule groups (stacks/components/observability/alert-rules.ts, the same list the
 * cluster's PrometheusRule carries) to a Prometheus rule file, for `promtool check rules`, `promtool test rules`
 * and the local rehearsal's Prometheus.
 *
 *   npx tsx pipelines/prometheus/render-rules.ts <out.yml>
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { alertRuleGroups, type AlertRuleGroup } from '../../stacks/components/observability/alert-rules.js';

/** The rule file's text: `groups:` exactly as Prometheus loads it. */
export function renderRuleFile(groups: readonly AlertRuleGroup[] = alertRuleGroups()): string {
  return `# Rendered from stacks/components/observability/alert-rules.ts; do not edit.\n${stringify({ groups })}`;
}

export async function writeRuleFile(path: string): Promise<void> {
  await writeFile(path, renderRuleFile());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: tsx pipelines/prometheus/render-rules.ts <out.yml>');
    process.exit(2);
  }
  await writeRuleFile(out);
  console.log(`wrote ${out}`);
}
