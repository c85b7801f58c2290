/**
 * 04 canary gate — "Does the canary, and only the canary, meet the SLO under steady traffic for one window?"
 *
 * Every request carries the pin header (`x-canary: always`, from the route model) so the gateway sends it to the
 * canary whatever the current weight, and a `track: canary` tag so its figures stay apart in any output.
 * With `GENERATE_MODEL` set, a trickle of streaming completions runs beside the inference traffic and the gate
 * also judges time to first token and inter-token latency (policies/slo.ts `generation`).
 * The rollout driver (pipelines/rollout) runs this at each canary step when k6 is installed.
 *   k6 run -e BASE_URL=... -e TOKEN=... -e WINDOW_SECONDS=60 [-e GENERATE_MODEL=demo-llm] loadtests/04-canary-gate.ts
 */
import type { Options } from 'k6/options';
import { canaryPinHeader } from '../stacks/components/gateway/route-model.ts';
import { generationThresholds, sloThresholds, target } from './lib/config.ts';
import { canaryGate, canaryStreams } from './lib/stages.ts';
import { inferOnce, readyTarget } from './lib/client.ts';
import { readyGenerativeModel, streamOnce } from './lib/generate.ts';
import { summaryFiles, type SummaryData } from './lib/summary.ts';
import type { ModelMetadata } from './lib/v2.ts';

const pin = { [canaryPinHeader.name]: canaryPinHeader.value };
const streaming = target.generateModel !== '';

export const options: Options = {
  scenarios: streaming ? { canaryGate, canaryStreams } : { canaryGate },
  thresholds: { ...sloThresholds(), ...(streaming ? generationThresholds() : {}) },
};

interface GateSetup {
  readonly metadata: ModelMetadata;
  readonly generateModel: string;
}

export function setup(): GateSetup {
  return { metadata: readyTarget(pin), generateModel: streaming ? readyGenerativeModel(pin) : '' };
}

export default function (data: GateSetup): void {
  inferOnce(data.metadata, pin, { track: 'canary' });
}

/** The `canaryStreams` scenario's function. */
export function canaryStream(data: GateSetup): void {
  streamOnce(data.generateModel, pin, { track: 'canary' });
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles('04-canary-gate', data);
}
