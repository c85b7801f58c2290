/**
 * 05 generate stream — "Do streams of the generative model start within the TTFT objective and keep pace under concurrent load?"
 *
 * `STREAMS` virtual users (default 8) each stream completions back to back from `/v1/completions`; TTFT, ITL and
 * tokens/s per stream are recorded and judged against the SLO's generation block (policies/slo.ts).
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e GENERATE_MODEL=demo-llm -e STREAMS=32 loadtests/05-generate-stream.ts
 */
import type { Options } from 'k6/options';
import { generationThresholds } from './lib/config.ts';
import { streams } from './lib/stages.ts';
import { readyGenerativeModel, streamOnce } from './lib/generate.ts';
import { summaryFiles, type SummaryData } from './lib/summary.ts';

export const options: Options = {
  scenarios: { streams },
  thresholds: generationThresholds(),
};

export function setup(): string {
  return readyGenerativeModel();
}

export default function (model: string): void {
  streamOnce(model);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryFiles('05-generate-stream', data);
}
