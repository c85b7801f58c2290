/**
 * `npm run policy -- [path] [--format table|json] [--waivers <file>] [--failures-only]`
 *
 * Checks synthesized Terraform JSON (default `cdktf.out`). Exit codes: 0 no violations, 1 violations,
 * 2 usage or input error (unknown flag, missing path, invalid JSON, malformed waiver file).
 */
import { pathToFileURL } from 'node:url';
import { checkStacks, defaultWaiverFile, ruleIds } from './check.js';
import { InputError, loadStacks } from './engine/load.js';
import { formatJson, formatTable } from './report/format.js';
import { loadWaivers, WaiverFileError } from './waivers.js';

export interface CliArgs {
  readonly path: string;
  readonly format: 'table' | 'json';
  readonly waivers?: string;
  readonly failuresOnly: boolean;
}

export class UsageError extends Error {}

export const usage = 'usage: npm run policy -- [path] [--format table|json] [--waivers <file>] [--failures-only]\n' +
  '  path: cdktf output folder (default cdktf.out), a folder of stack folders, one stack folder, or a .tf.json file';

export function parseArgs(argv: readonly string[]): CliArgs {
  let path: string | undefined;
  let format: CliArgs['format'] = 'table';
  let waivers: string | undefined;
  let failuresOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--format') {
      const v = value();
      if (v !== 'table' && v !== 'json') throw new UsageError(`--format must be "table" or "json", got "${v}"`);
      format = v;
    } else if (flag === '--waivers') waivers = value();
    else if (flag === '--failures-only') failuresOnly = true;
    else if (flag === '--help' || flag === '-h') throw new UsageError('');
    else if (flag.startsWith('-')) throw new UsageError(`unknown option "${flag}"`);
    else if (path !== undefined) throw new UsageError(`only one path may be given, got "${path}" and "${flag}"`);
    else path = flag;
  }
  return { path: path ?? 'cdktf.out', format, ...(waivers ? { waivers } : {}), failuresOnly };
}

export function main(argv: readonly string[]): number {
  try {
    const args = parseArgs(argv);
    const stacks = loadStacks(args.path);
    const waiverFile = args.waivers ?? defaultWaiverFile();
    const waivers = waiverFile ? loadWaivers(waiverFile, ruleIds()) : [];
    const report = checkStacks(stacks, { waivers });
    process.stdout.write(args.format === 'json' ? formatJson(report) : formatTable(report, { failuresOnly: args.failuresOnly }));
    return report.summary.fail > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError || err instanceof WaiverFileError) {
      process.stderr.write(`${err.message ? `policy: ${err.message}\n` : ''}${usage}\n`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main(process.argv.slice(2));
}
