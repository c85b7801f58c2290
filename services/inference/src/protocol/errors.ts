/**
 * An error the client caused or must know about, answered as `{"error": message}` with `statusCode`.
 * 400 malformed request, 404 unknown model or version, 413 too large, 429 queue full, 503 not ready / worker died.
 */
export class InferenceError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}

export const badRequest = (message: string): InferenceError => new InferenceError(400, message);
export const notFound = (message: string): InferenceError => new InferenceError(404, message);
export const unavailable = (message: string): InferenceError => new InferenceError(503, message);
