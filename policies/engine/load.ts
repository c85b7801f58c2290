/**
 * Finds Terraform JSON on disk. Accepted inputs:
 * - a cdktf output folder (`cdktf.out`, with `stacks/<stack>/cdk.tf.json`),
 * - a folder whose sub-folders each hold `*.tf.json` (one stack per sub-folder),
 * - a single stack folder (all its `*.tf.json` files form one configuration, as Terraform reads them),
 * - one `.tf.json` file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stackFromJson, type StackDoc } from './model.js';

export class InputError extends Error {}

function tfJsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf.json'))
    .sort()
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
}

function stackFromFiles(name: string, files: readonly string[]): StackDoc {
  try {
    return stackFromJson(name, files.map(readJson), files);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError((err as Error).message);
  }
}

function subfolders(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isDirectory());
}

export function loadStacks(path: string): StackDoc[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file or folder (run "npm run synth" first, or pass the folder to check)`);
  }
  if (stat.isFile()) {
    if (!path.endsWith('.tf.json') && !path.endsWith('.json')) throw new InputError(`${path}: expected a .tf.json file`);
    // cdktf names every stack's file cdk.tf.json, so its folder names the stack.
    const name = basename(path) === 'cdk.tf.json' ? basename(dirname(path)) : basename(path).replace(/\.(tf\.)?json$/, '');
    return [stackFromFiles(name, [path])];
  }
  const own = tfJsonFiles(path);
  if (own.length) return [stackFromFiles(basename(path), own)];
  const root = statSync(join(path, 'stacks'), { throwIfNoEntry: false })?.isDirectory() ? join(path, 'stacks') : path;
  const stacks = subfolders(root)
    .map((dir) => ({ dir, files: tfJsonFiles(dir) }))
    .filter((s) => s.files.length > 0)
    .map((s) => stackFromFiles(basename(s.dir), s.files));
  if (stacks.length === 0) throw new InputError(`${path}: no *.tf.json files found (looked in the folder, its stacks/ and its sub-folders)`);
  return stacks;
}
