/**
 * Regenerates the bundled demo model: models/demo/1/model.onnx and models/demo/config.json (with its SHA-256).
 * Byte-identical on every run and machine (seeded weights, deterministic protobuf encoding).
 * Usage: npm run demo-model [-- <repository folder>]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../src/model-repository/integrity.js';
import { buildDemoEncoder } from './encoder.js';

/** config.json of the demo model; batching uses the service defaults sized from the warm-up. */
export function demoConfig(sha256: string): object {
  return { versionPolicy: { latest: 1 }, versions: { '1': { sha256 } }, executionProviders: ['cpu'] };
}

export async function writeDemoModel(repository: string): Promise<{ file: string; sha256: string }> {
  const bytes = buildDemoEncoder();
  const file = join(repository, 'demo', '1', 'model.onnx');
  await mkdir(join(repository, 'demo', '1'), { recursive: true });
  await writeFile(file, bytes);
  const sha256 = sha256Hex(bytes);
  await writeFile(join(repository, 'demo', 'config.json'), `${JSON.stringify(demoConfig(sha256), null, 2)}\n`);
  return { file, sha256 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repository = resolve(process.argv[2] ?? fileURLToPath(new URL('../../models', import.meta.url)));
  const { file, sha256 } = await writeDemoModel(repository);
  console.log(`wrote ${file}\nsha256 ${sha256}`);
}
