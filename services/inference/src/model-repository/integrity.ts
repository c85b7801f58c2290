import { createHash } from 'node:crypto';

/** SHA-256 of model bytes as lowercase hex, the form config.json stores. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Thrown when a model file's hash differs from config.json; the version is refused, nothing else stops. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`integrity check failed for ${file}: expected sha256 ${expected}, actual ${actual}`);
  }
}
