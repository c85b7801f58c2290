/**
 * Command line of `npm run usage`:
 *
 *   npm run usage -- --from YYYY-MM-DD --to YYYY-MM-DD
 *                    [--input audit.ndjson | --elasticsearch URL --index NAME]
 *                    [--prices prices.json] [--format md|csv] [--out FILE]
 *
 * Without --input or --elasticsearch the audit lines are read from standard input.
 */
import { parseArgs } from 'node:util';
import type { ReportFormat } from './render.js';

export interface UsageArgs {
  readonly from: string;
  readonly to: string;
  readonly input?: string;
  readonly elasticsearch?: { readonly url: string; readonly index: string };
  readonly prices?: string;
  readonly format: ReportFormat;
  readonly out?: string;
}

export class UsageArgsError extends Error {
  override name = 'UsageArgsError';
}

export const usageText =
  'usage: npm run usage -- --from YYYY-MM-DD --to YYYY-MM-DD [--input audit.ndjson | --elasticsearch URL --index NAME] [--prices prices.json] [--format md|csv] [--out FILE]';

function day(name: string, value: string | undefined): string {
  if (value === undefined) throw new UsageArgsError(`--${name} is required (a UTC day, YYYY-MM-DD)`);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const parsed = match ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new UsageArgsError(`--${name} must be a calendar day YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

export function parseUsageArgs(argv: readonly string[]): UsageArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        input: { type: 'string' },
        elasticsearch: { type: 'string' },
        index: { type: 'string' },
        prices: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new UsageArgsError((error as Error).message);
  }
  const from = day('from', values.from);
  const to = day('to', values.to);
  if (from > to) throw new UsageArgsError(`--from ${from} is after --to ${to}`);
  const format = values.format ?? 'md';
  if (format !== 'md' && format !== 'csv') throw new UsageArgsError(`--format must be md or csv, got "${format}"`);
  if (values.input !== undefined && values.elasticsearch !== undefined) throw new UsageArgsError('give --input or --elasticsearch, not both');
  if ((values.elasticsearch === undefined) !== (values.index === undefined)) throw new UsageArgsError('--elasticsearch and --index go together');
  return {
    from,
    to,
    format,
    ...(values.input !== undefined && { input: values.input }),
    ...(values.elasticsearch !== undefined && values.index !== undefined && { elasticsearch: { url: values.elasticsearch, index: values.index } }),
    ...(values.prices !== undefined && { prices: values.prices }),
    ...(values.out !== undefined && { out: values.out }),
  };
}
