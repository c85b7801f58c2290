/**
 * Reads `<version folder>/drift-profile.json` when the version loads. No file: no drift metrics for the version.
 * A file that does not fit the model refuses the version with a message naming the file and the field, the same
 * as a broken config.json: a profile that silently watched the wrong tensor would report drift that is not there.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TensorSpec } from '../protocol/types.js';
import { DriftProfileError, driftProfileFile, validateDriftProfile, type DriftProfile } from './profile.js';

export async function loadDriftProfile(target: {
  readonly model: string;
  readonly version: number;
  /** The version's model.onnx; the profile sits beside it. */
  readonly file: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}): Promise<DriftProfile | undefined> {
  const path = join(dirname(target.file), driftProfileFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DriftProfileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DriftProfileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return validateDriftProfile(json, target, path);
}
