/**
 * 02 load — "Does the service keep p95 under the SLO with 100 concurrent users (the seed's load)?"
 *
 * The staging gate on every merge to main. Each VU sends back to back with a short think time, so 100 VUs hold
 * about 100 requests in flight or queued in the batcher at any moment.
 *   k6 run -e BASE_URL=... -e TOKEN=... loadtests/02-load.ts
 */
import { sleep } from 'k6';
import type { Options } from 'k6/options';
import { sloThresholds } from './lib/config.ts';
import { load } from './lib/stages.ts';
import { inferOnce, readyTarget } from './lib/client.ts';
import { summaryFiles, type SummaryData } from './lib/summary.ts';
import type { ModelMetadata } from './lib/v2.ts';

export const options: Options = {
  scenarios: { load },
  thresholds: sloThresholds(),
};

export function setup(): ModelMetadata {
  return readyTarget();
}

export default function (metadata: ModelMetadata): void {
  inferOnce(metadata);
  sleep(0.1);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles('02-load', data);
}
