/**
 * The k6 side of an OpenAI-compatible streaming client: readiness of the generative model for setup(), and one
 * checked streaming completion with TTFT, ITL and tokens/s recorded.
 *
 * k6's HTTP client hands over the body when the stream has ended, so the figures come from its timings: the
 * service writes the response head together with the first token's event (docs/service.md), which makes
 * `timings.waiting` (time to first byte) the time to first token, and `timings.receiving` the time from the first
 * token to the end of the stream.
 */
import http from 'k6/http';
import { check, fail } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import exec from 'k6/execution';
import { slo } from '../../policies/slo.ts';
import { generateMetrics, generateTag, headers, target } from './config.ts';
import { buildCompletionRequest, readCompletionStream } from './completions.ts';

const ttft = new Trend(generateMetrics.ttft, true);
const itl = new Trend(generateMetrics.itl, true);
const tokensPerSecond = new Trend(generateMetrics.tokensPerSecond);
const streamCount = new Counter(generateMetrics.streams);

/** setup(): fail fast unless the generative model is listed by GET /v1/models. */
export function readyGenerativeModel(extraHeaders: Record<string, string> = {}): string {
  if (!target.generateModel) fail('set -e GENERATE_MODEL=<model> (a generative model served under /v1)');
  const res = http.get(`${target.baseUrl}/v1/models`, { headers: headers(extraHeaders) });
  if (res.status !== 200) fail(`GET /v1/models answered ${res.status}: ${String(res.body)}`);
  const ids = ((res.json() as { data?: { id?: string }[] }).data ?? []).map((m) => m.id);
  if (!ids.includes(target.generateModel)) fail(`GET /v1/models lists ${ids.join(', ') || 'nothing'}, not ${target.generateModel}`);
  return target.generateModel;
}

/** One streaming completion with checks on what the stream means; `tags` mark e.g. canary gate traffic. */
export function streamOnce(model: string, extraHeaders: Record<string, string> = {}, tags: Record<string, string> = {}): void {
  const request = buildCompletionRequest(model, exec.scenario.iterationInTest, slo.generation.gateMaxTokens);
  const allTags = { ...generateTag, ...tags };
  const res = http.post(`${target.baseUrl}/v1/completions`, JSON.stringify(request), {
    headers: headers(extraHeaders),
    tags: allTags,
    timeout: '60s',
  });
  streamCount.add(1, allTags);
  const reading = res.status === 200 && typeof res.body === 'string' ? readCompletionStream(res.body, request) : undefined;
  if (reading && reading.problems.length === 0) {
    ttft.add(res.timings.waiting, allTags);
    const tokens = reading.completionTokens ?? 0;
    if (tokens > 1) {
      itl.add(res.timings.receiving / (tokens - 1), allTags);
      if (res.timings.receiving > 0) tokensPerSecond.add(((tokens - 1) * 1000) / res.timings.receiving, allTags);
    }
  }
  check(
    res,
    {
      'status is 200': (r) => r.status === 200,
      'stream ends with [DONE], a finish reason and usage within max_tokens': () => reading !== undefined && reading.problems.length === 0,
    },
    allTags,
  );
}
