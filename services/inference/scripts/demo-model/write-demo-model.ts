/**
 * Regenerates the bundled demo models: the encoder (models/demo/1/model.onnx) and the generative demo LLM
 * (models/demo-llm/1/: model.onnx with its Hugging Face side files), each with a config.json holding its SHA-256.
 * Byte-identical on every run and machine (seeded weights, deterministic protobuf and JSON encoding).
 * Usage: npm run demo-model [-- <repository folder>]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../src/model-repository/integrity.js';
import { buildDecoder, demoDecoderShape, type DecoderShape } from './decoder.js';
import { buildDemoEncoder } from './encoder.js';
import { generationConfigJson, hfConfigJson, tokenizerConfigJson, tokenizerJson } from './tokenizer-files.js';

/** config.json of a demo model; batching uses the service defaults sized from the warm-up. */
export function demoConfig(sha256: string): object {
  return { versionPolicy: { latest: 1 }, versions: { '1': { sha256 } }, executionProviders: ['cpu'] };
}

const json = (value: object): string => `${JSON.stringify(value, null, 2)}\n`;

export async function writeDemoModel(repository: string): Promise<{ file: string; sha256: string }> {
  const bytes = buildDemoEncoder();
  const file = join(repository, 'demo', '1', 'model.onnx');
  await mkdir(join(repository, 'demo', '1'), { recursive: true });
  await writeFile(file, bytes);
  const sha256 = sha256Hex(bytes);
  await writeFile(join(repository, 'demo', 'config.json'), json(demoConfig(sha256)));
  return { file, sha256 };
}

/** The files of one generative version folder, by name. */
export function generativeVersionFiles(shape: DecoderShape = demoDecoderShape): Record<string, Uint8Array | string> {
  return {
    'model.onnx': buildDecoder(shape),
    'config.json': json(hfConfigJson(shape)),
    'tokenizer.json': json(tokenizerJson()),
    'tokenizer_config.json': json(tokenizerConfigJson(shape)),
    'generation_config.json': json(generationConfigJson()),
  };
}

/** Writes `<repository>/<name>/1/` with a generative model of `shape`, and `<name>/config.json` with its SHA-256. */
export async function writeGenerativeModel(
  repository: string,
  name = 'demo-llm',
  shape: DecoderShape = demoDecoderShape,
  modelConfig: (sha256: string) => object = demoConfig,
): Promise<{ directory: string; sha256: string }> {
  const directory = join(repository, name, '1');
  await mkdir(directory, { recursive: true });
  const files = generativeVersionFiles(shape);
  for (const [file, content] of Object.entries(files)) await writeFile(join(directory, file), content);
  const sha256 = sha256Hex(files['model.onnx'] as Uint8Array);
  await writeFile(join(repository, name, 'config.json'), json(modelConfig(sha256)));
  return { directory, sha256 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repository = resolve(process.argv[2] ?? fileURLToPath(new URL('../../models', import.meta.url)));
  const encoder = await writeDemoModel(repository);
  console.log(`wrote ${encoder.file}\nsha256 ${encoder.sha256}`);
  const llm = await writeGenerativeModel(repository);
  console.log(`wrote ${llm.directory}\nsha256 ${llm.sha256}`);
}
