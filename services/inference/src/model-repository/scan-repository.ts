import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultModelConfig, parseModelConfig, type ModelConfig } from './model-config.js';
import { selectVersions } from './version-policy.js';

/** One model folder of the repository. */
export interface ModelEntry {
  readonly name: string;
  /** Parsed config.json (or the defaults); undefined when config.json is invalid. */
  readonly config?: ModelConfig;
  /** Versions the policy selects, each with its model.onnx path; `problem` set when it cannot be loaded. */
  readonly versions: ReadonlyArray<{ readonly version: number; readonly file: string; readonly problem?: string }>;
  /** Why the whole model cannot be served (bad config.json, no versions); the model shows as not ready. */
  readonly error?: string;
  /** Things worth a log line that do not stop the model (a numbered folder without model.onnx). */
  readonly warnings: readonly string[];
}

/** Model names become URL path segments; keep them to a safe alphabet. */
const modelName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Reads `<repository>/<model>/<version>/model.onnx` (version = positive integer) and `<model>/config.json`.
 * A missing repository is an error (the service has nothing to serve); a bad model folder only affects that model.
 */
export async function scanRepository(repository: string): Promise<ModelEntry[]> {
  let names: string[];
  try {
    names = (await readdir(repository, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch (error) {
    throw new Error(`model repository ${repository} cannot be read: ${(error as Error).message}`);
  }
  return Promise.all(names.filter((n) => modelName.test(n)).map((name) => scanModel(repository, name)));
}

async function scanModel(repository: string, name: string): Promise<ModelEntry> {
  const dir = join(repository, name);
  const warnings: string[] = [];
  let config: ModelConfig = defaultModelConfig;
  const configFile = join(dir, 'config.json');
  try {
    config = parseModelConfig(JSON.parse(await readFile(configFile, 'utf8')), configFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      const message = error instanceof SyntaxError ? `${configFile}: invalid JSON: ${error.message}` : (error as Error).message;
      return { name, error: message, versions: [], warnings };
    }
  }
  const available: number[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[1-9][0-9]*$/.test(entry.name)) continue;
    const file = join(dir, entry.name, 'model.onnx');
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) available.push(Number(entry.name));
    else warnings.push(`${file} is missing; version ${entry.name} is skipped`);
  }
  const { selected, missing } = selectVersions(config.versionPolicy, available);
  const file = (version: number): string => join(dir, String(version), 'model.onnx');
  const versions = [
    ...selected.map((version) => ({ version, file: file(version) })),
    ...missing.map((version) => ({ version, file: file(version), problem: `${file(version)} is missing (pinned by versionPolicy)` })),
  ];
  if (versions.length === 0) return { name, config, versions, warnings, error: `${dir} has no <version>/model.onnx` };
  return { name, config, versions, warnings };
}
