/**
 * The k6 side of a V2 client: readiness check for setup(), model metadata, and one checked inference call.
 */
import http from 'k6/http';
import { check, fail } from 'k6';
import { Counter } from 'k6/metrics';
import exec from 'k6/execution';
import { headers, inferRequestsMetric, inferTag, target } from './config.ts';
import { buildInferRequest, inferResponseProblems, type ModelMetadata } from './v2.ts';

const inferRequests = new Counter(inferRequestsMetric);

/** setup(): fail fast when the target is not ready, then read the model's metadata once for every VU. */
export function readyTarget(extraHeaders: Record<string, string> = {}): ModelMetadata {
  const ready = http.get(`${target.baseUrl}/v2/health/ready`, { headers: headers(extraHeaders) });
  if (ready.status !== 200) {
    fail(`${target.baseUrl}/v2/health/ready answered ${ready.status}, not 200: the target is not ready`);
  }
  const meta = http.get(`${target.baseUrl}/v2/models/${target.model}`, { headers: headers(extraHeaders) });
  if (meta.status !== 200) {
    fail(`GET /v2/models/${target.model} answered ${meta.status}: ${String(meta.body)}`);
  }
  return meta.json() as unknown as ModelMetadata;
}

/** One inference request with checks on what the answer means; `tags` mark e.g. canary gate traffic. */
export function inferOnce(
  metadata: ModelMetadata,
  extraHeaders: Record<string, string> = {},
  tags: Record<string, string> = {},
): void {
  const seed = exec.scenario.iterationInTest;
  const id = `k6-${exec.vu.idInTest}-${seed}`;
  const body = buildInferRequest(metadata, id, seed);
  const allTags = { ...inferTag, ...tags };
  const res = http.post(`${target.baseUrl}/v2/models/${target.model}/infer`, JSON.stringify(body), {
    headers: headers(extraHeaders),
    tags: allTags,
  });
  inferRequests.add(1, allTags);
  const parsed = res.status === 200 ? safeJson(res.body) : undefined;
  check(
    res,
    {
      'status is 200': (r) => r.status === 200,
      'answer echoes the id and has every output with matching shape': () =>
        parsed !== undefined && inferResponseProblems(parsed, id, metadata).length === 0,
    },
    allTags,
  );
}

function safeJson(body: unknown): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
