/**
 * 01 smoke — "Does the deployed service answer correct inferences at all, within the SLO, at a trickle?"
 *
 * Runs on every pull request with a target configured and after each deploy, before anything heavier.
 *   k6 run -e BASE_URL=https://staging.example.com -e TOKEN=... loadtests/01-smoke.ts
 */
import type { Options } from 'k6/options';
import { sloThresholds } from './lib/config.ts';
import { smoke } from './lib/stages.ts';
import { inferOnce, readyTarget } from './lib/client.ts';
import { summaryFiles, type SummaryData } from './lib/summary.ts';
import type { ModelMetadata } from './lib/v2.ts';

export const options: Options = {
  scenarios: { smoke },
  thresholds: sloThresholds(),
};

export function setup(): ModelMetadata {
  return readyTarget();
}

export default function (metadata: ModelMetadata): void {
  inferOnce(metadata);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles('01-smoke', data);
}
