import type { FastifyRequest } from 'fastify';
import type { InferRequest, InferResponse } from '../protocol/types.js';

/** What an interceptor sees of one validated infer call. */
export interface InferContext {
  readonly model: string;
  /** The resolved version (an unversioned URL resolves to the highest ready version). */
  readonly version: number;
  readonly request: InferRequest;
  readonly http: FastifyRequest;
}

/**
 * Wraps an infer call, outermost first: return `next()` to go on, or an `InferResponse` to short-circuit (a
 * cache hit), or throw an `InferenceError` (fault injection, rate limits). Registered with
 * `fastify.inferInterceptors.push(fn)`; runs after the request is validated, before it is queued for a batch.
 */
export type InferInterceptor = (context: InferContext, next: () => Promise<InferResponse>) => Promise<InferResponse>;

/** Runs `last` inside the interceptors, the first registered outermost. */
export function runInterceptors(interceptors: readonly InferInterceptor[], context: InferContext, last: () => Promise<InferResponse>): Promise<InferResponse> {
  const step = (index: number): Promise<InferResponse> => {
    const interceptor = interceptors[index];
    return interceptor ? interceptor(context, () => step(index + 1)) : last();
  };
  return step(0);
}
