/**
 * Reading audit records (logging/access.ts, event.dataset "inference.audit") back into usage rows. The same parser
 * serves NDJSON log files (the service's stdout) and Elasticsearch `_source` documents, which are those lines as
 * shipped.
 */

/** One inference call as the report needs it. */
export interface UsageRow {
  /** UTC day of the call, YYYY-MM-DD. */
  readonly day: string;
  readonly tenant: string;
  readonly model: string;
  readonly version: string;
  readonly status: number;
  readonly items: number;
  readonly computeSeconds: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/** The usage row of an audit record, or undefined for any other record (access lines, service messages). */
export function usageRowOf(record: unknown): UsageRow | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  const dataset = field(r.event, 'dataset') ?? r['event.dataset'];
  if (dataset !== 'inference.audit') return undefined;
  const inference = r.inference as Record<string, unknown> | undefined;
  const timestamp = str(r['@timestamp']);
  if (inference === undefined || timestamp === undefined || Number.isNaN(Date.parse(timestamp))) return undefined;
  // Records written before usage accounting carry no inference.tenant: organization.id, then user.id, name the caller.
  const tenant = str(inference.tenant) ?? str(field(r.organization, 'id')) ?? str(field(r.user, 'id'));
  if (tenant === undefined || tenant === 'unauthenticated') return undefined;
  return {
    day: new Date(timestamp).toISOString().slice(0, 10),
    tenant,
    model: str(inference.model) ?? 'unknown',
    version: str(inference.version) ?? String(inference.version ?? 'unknown'),
    status: num(inference.status),
    items: num(inference.items),
    computeSeconds: num(inference.compute_seconds),
    promptTokens: num(inference.prompt_tokens),
    completionTokens: num(inference.completion_tokens),
  };
}

export interface ParsedLines {
  readonly rows: UsageRow[];
  /** Lines that were not JSON (counted, reported on stderr: a truncated or mixed log). */
  readonly unparsable: number;
}

/** Parses NDJSON lines (any iterable, a readline interface included): audit lines become rows, other JSON lines are ignored, non-JSON lines counted. */
export async function parseAuditLines(lines: Iterable<string> | AsyncIterable<string>): Promise<ParsedLines> {
  const rows: UsageRow[] = [];
  let unparsable = 0;
  for await (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    // Cheap pre-filter: most lines of a service log are not audit records.
    if (!trimmed.includes('inference.audit')) {
      if (!trimmed.startsWith('{')) unparsable++;
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(trimmed);
    } catch {
      unparsable++;
      continue;
    }
    const row = usageRowOf(record);
    if (row !== undefined) rows.push(row);
  }
  return { rows, unparsable };
}
