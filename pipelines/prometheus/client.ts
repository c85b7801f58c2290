/** A minimal client for the Prometheus HTTP API's instant queries (https://prometheus.io/docs/prometheus/latest/querying/api/). */

interface QueryResponse {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: {
    readonly resultType: string;
    readonly result: readonly { readonly value: readonly [number, string] }[] | readonly [number, string];
  };
}

/**
 * Evaluates `promql` at `time` (default: now) and returns its single value, or `undefined` when the result is
 * empty or NaN (no samples: e.g. a rate over a window without requests). Several series is an error: the gate's
 * queries aggregate to one number.
 */
export async function queryScalar(baseUrl: string, promql: string, time?: Date): Promise<number | undefined> {
  const params = new URLSearchParams({ query: promql });
  if (time) params.set('time', (time.getTime() / 1000).toFixed(3));
  const res = await fetch(`${baseUrl}/api/v1/query?${params.toString()}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as QueryResponse;
  if (body.status !== 'success' || !body.data) {
    throw new Error(`Prometheus rejected "${promql}": ${body.error ?? res.statusText}`);
  }
  const { resultType, result } = body.data;
  let raw: string | undefined;
  if (resultType === 'scalar') raw = (result as readonly [number, string])[1];
  else {
    const vector = result as readonly { readonly value: readonly [number, string] }[];
    if (vector.length > 1) throw new Error(`"${promql}" returned ${vector.length} series, expected one`);
    raw = vector[0]?.value[1];
  }
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isNaN(value) ? undefined : value;
}
