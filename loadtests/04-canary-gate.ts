/**
 * 04 canary gate — "Does the canary, and only the canary, meet the SLO under steady traffic for one window?"
 *
 * Every request carries the pin header (`x-canary: always`, from the route model) so the gateway sends it to the
 * canary whatever the current weight, and a `track: canary` tag so its figures stay apart in any output.
 * The rollout driver (pipelines/rollout) runs this at each canary step when k6 is installed.
 *   k6 run -e BASE_URL=... -e TOKEN=... -e WINDOW_SECONDS=60 loadtests/04-canary-gate.ts
 */
import type { Options } from 'k6/options';
import { canaryPinHeader } from '../stacks/components/gateway/route-model.ts';
import { sloThresholds } from './lib/config.ts';
import { canaryGate } from './lib/stages.ts';
import { inferOnce, readyTarget } from './lib/client.ts';
import { summaryFiles, type SummaryData } from './lib/summary.ts';
import type { ModelMetadata } from './lib/v2.ts';

const pin = { [canaryPinHeader.name]: canaryPinHeader.value };

export const options: Options = {
  scenarios: { canaryGate },
  thresholds: sloThresholds(),
};

export function setup(): ModelMetadata {
  return readyTarget(pin);
}

export default function (metadata: ModelMetadata): void {
  inferOnce(metadata, pin, { track: 'canary' });
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles('04-canary-gate', data);
}
