/**
 * Load shapes, one per script, named by how hard they push. Durations and rates can be shortened from the
 * environment (`-e DURATION=10s`) for a quick try; the defaults are what the pipeline gates run.
 */
import type { Scenario } from 'k6/options';
import { slo } from '../../policies/slo.ts';

const env: { readonly [name: string]: string | undefined } = typeof __ENV === 'undefined' ? {} : __ENV;

function numberFromEnv(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** Smoke: a fixed arrival rate, enough requests to clear the gate's minimum count, nothing more. */
export const smoke: Scenario = {
  executor: 'constant-arrival-rate',
  rate: numberFromEnv('RATE', 10),
  timeUnit: '1s',
  duration: env['DURATION'] ?? '30s',
  preAllocatedVUs: 5,
  maxVUs: 20,
};

/** Load: the seed's 100 concurrent users, ramped up, held, ramped down. */
export const load: Scenario = {
  executor: 'ramping-vus',
  startVUs: 0,
  stages: [
    { duration: '30s', target: numberFromEnv('VUS', 100) },
    { duration: env['DURATION'] ?? '2m', target: numberFromEnv('VUS', 100) },
    { duration: '15s', target: 0 },
  ],
  gracefulRampDown: '10s',
};

/** Spike: from a trickle to three times the load test's users in ten seconds, and back. */
export const spike: Scenario = {
  executor: 'ramping-vus',
  startVUs: 5,
  stages: [
    { duration: '20s', target: 5 },
    { duration: '10s', target: numberFromEnv('VUS', 300) },
    { duration: env['DURATION'] ?? '30s', target: numberFromEnv('VUS', 300) },
    { duration: '10s', target: 5 },
    { duration: '20s', target: 5 },
  ],
  gracefulRampDown: '10s',
};

/** Canary gate: a steady arrival rate pinned to the canary for one observation window of the SLO. */
export const canaryGate: Scenario = {
  executor: 'constant-arrival-rate',
  rate: numberFromEnv('RATE', 20),
  timeUnit: '1s',
  duration: `${numberFromEnv('WINDOW_SECONDS', slo.gateWindowSeconds)}s`,
  preAllocatedVUs: 10,
  maxVUs: 50,
};

/** Streams: `STREAMS` concurrent streaming generations (default 8), each starting the next as soon as one ends. */
export const streams: Scenario = {
  executor: 'constant-vus',
  vus: numberFromEnv('STREAMS', 8),
  duration: env['DURATION'] ?? '1m',
};

/** Canary gate, generative side: a trickle of streams beside the inference traffic, over the same window. */
export const canaryStreams: Scenario = {
  executor: 'constant-arrival-rate',
  exec: 'canaryStream',
  rate: numberFromEnv('STREAM_RATE', slo.generation.gateStreamsPerSecond),
  timeUnit: '1s',
  duration: `${numberFromEnv('WINDOW_SECONDS', slo.gateWindowSeconds)}s`,
  preAllocatedVUs: 4,
  maxVUs: 20,
};
