/**
 * 03 spike — "When users triple within seconds, does the service shed load cleanly and recover?"
 *
 * During the spike the batcher's queue cap may answer 429 with Retry-After; that is the designed overload answer,
 * so 429 is not counted as a failed request here. The SLO thresholds still apply to the whole run: a service that
 * stays slow after the spike fails this test.
 *   k6 run -e BASE_URL=... -e TOKEN=... loadtests/03-spike.ts
 */
import http from 'k6/http';
import type { Options } from 'k6/options';
import { sloThresholds } from './lib/config.ts';
import { spike } from './lib/stages.ts';
import { inferOnce, readyTarget } from './lib/client.ts';
import { summaryFiles, type SummaryData } from './lib/summary.ts';
import type { ModelMetadata } from './lib/v2.ts';

http.setResponseCallback(http.expectedStatuses(200, 429));

export const options: Options = {
  scenarios: { spike },
  // Checks include "status is 200", which a 429 fails: the checks rate tells how much load was shed.
  thresholds: sloThresholds(),
};

export function setup(): ModelMetadata {
  return readyTarget();
}

export default function (metadata: ModelMetadata): void {
  inferOnce(metadata);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles('03-spike', data);
}
