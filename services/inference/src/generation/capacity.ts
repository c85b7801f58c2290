/**
 * Streams hold an admission-gate slot (MAX_INFLIGHT_REQUESTS) until their last event. When running plus waiting
 * streams can exceed the gate, a full engine is answered by the gate's 503 instead of the engine's own 429 with its
 * Retry-After estimate; the defaults avoid that on two workers, and this names the fix where settings do not.
 */
import type { ServiceConfig } from '../config.js';

type Settings = Pick<ServiceConfig, 'generateMaxSequences' | 'generateMaxQueue' | 'workerThreads'>;

/** A warning when generation can fill the admission gate, else undefined. */
export function streamCapacityWarning(config: Settings, maxInflight: number): string | undefined {
  const streams = config.generateMaxSequences * config.workerThreads + config.generateMaxQueue;
  if (streams < maxInflight) return undefined;
  return (
    `GENERATE_MAX_SEQUENCES ${config.generateMaxSequences} × WORKER_THREADS ${config.workerThreads} + GENERATE_MAX_QUEUE ` +
    `${config.generateMaxQueue} = ${streams} streams can fill MAX_INFLIGHT_REQUESTS ${maxInflight}: a full engine will be ` +
    `answered 503 by the admission gate instead of 429 with Retry-After; raise MAX_INFLIGHT_REQUESTS above ${streams} ` +
    'or lower the generation settings'
  );
}
