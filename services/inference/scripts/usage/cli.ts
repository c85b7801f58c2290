/**
 * `npm run usage`: a per-tenant, per-model, per-day usage and cost report from the service's audit records (an ECS
 * NDJSON log file, standard input, or an Elasticsearch index). Exit 0 with the report; 2 with a message for bad
 * arguments or an unreadable source.
 */
import { createReadStream } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { aggregate } from './aggregate.js';
import { parseAuditLines, type UsageRow } from './audit.js';
import { parseUsageArgs, usageText, type UsageArgs } from './args.js';
import { readElasticsearch } from './elasticsearch.js';
import { readPriceTable } from './prices.js';
import { render } from './render.js';

export const defaultPriceTable = fileURLToPath(new URL('../../config/prices.json', import.meta.url));

/** Paths are relative to where `npm run` was started (npm runs scripts in the package folder). */
const here = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);

/** Lines of a stream, read as they come (audit files can be larger than memory allows to hold as one string). */
const linesOf = (stream: Readable) => createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });

async function rowsOf(args: UsageArgs, warn: (message: string) => void): Promise<UsageRow[]> {
  if (args.elasticsearch) {
    return readElasticsearch({ ...args.elasticsearch, from: args.from, to: args.to, apiKey: process.env.ELASTICSEARCH_API_KEY });
  }
  let stream: Readable = process.stdin;
  if (args.input !== undefined) {
    const path = here(args.input);
    try {
      await access(path);
    } catch (error) {
      throw new Error(`cannot read --input ${args.input}: ${(error as Error).message}`);
    }
    stream = createReadStream(path, 'utf8');
  }
  const { rows, unparsable } = await parseAuditLines(linesOf(stream));
  if (unparsable > 0) warn(`usage: skipped ${unparsable} line(s) that are not JSON`);
  return rows;
}

/** Runs the report; returns the exit code. */
export interface CliIo {
  readonly out: (text: string) => unknown;
  readonly err: (text: string) => unknown;
}

const stdio: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function main(argv: readonly string[], io: CliIo = stdio): Promise<number> {
  try {
    const args = parseUsageArgs(argv);
    const prices = await readPriceTable(args.prices !== undefined ? here(args.prices) : defaultPriceTable);
    const rows = await rowsOf(args, (m) => io.err(`${m}\n`));
    const text = render(aggregate(rows, prices, args.from, args.to), args.format);
    if (args.out !== undefined) {
      await writeFile(here(args.out), text);
      io.err(`usage: wrote ${args.out}\n`);
    } else io.out(text);
    return 0;
  } catch (error) {
    io.err(`usage: ${(error as Error).message}\n${(error as Error).name === 'UsageArgsError' ? `${usageText}\n` : ''}`);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
