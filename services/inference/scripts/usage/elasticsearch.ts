/**
 * Reads audit records from an Elasticsearch index with the scroll API over plain HTTP(S):
 *
 *   POST /<index>/_search?scroll=1m   { size, sort: ["_doc"], query: audit records in [from, to] }
 *   POST /_search/scroll              { scroll: "1m", scroll_id }      … until a page comes back empty
 *   DELETE /_search/scroll            { scroll_id }                    (frees the search context)
 *
 * (https://www.elastic.co/guide/en/elasticsearch/reference/current/paginate-search-results.html#scroll-search-results).
 * Credentials: user:password in the URL (sent as Basic auth) or ELASTICSEARCH_API_KEY (sent as `ApiKey`).
 */
import { usageRowOf, type UsageRow } from './audit.js';

export interface ElasticsearchSource {
  readonly url: string;
  readonly index: string;
  /** Inclusive UTC days, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  readonly apiKey?: string;
  /** Hits per page (default 1000). */
  readonly pageSize?: number;
}

export class ElasticsearchError extends Error {
  override name = 'ElasticsearchError';
}

interface SearchPage {
  readonly _scroll_id?: string;
  readonly hits?: { readonly hits?: ReadonlyArray<{ readonly _source?: unknown }> };
}

/** Day after `day` (YYYY-MM-DD), for an exclusive upper bound. */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

export function auditQuery(from: string, to: string): object {
  return {
    bool: {
      filter: [
        { match: { 'event.dataset': 'inference.audit' } },
        { range: { '@timestamp': { gte: `${from}T00:00:00Z`, lt: `${nextDay(to)}T00:00:00Z` } } },
      ],
    },
  };
}

export async function readElasticsearch(source: ElasticsearchSource): Promise<UsageRow[]> {
  let base: URL;
  try {
    base = new URL(source.url);
  } catch {
    throw new ElasticsearchError(`--elasticsearch is not a URL: "${source.url}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ElasticsearchError(`--elasticsearch must be an http(s) URL, got "${source.url}"`);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (base.username !== '') {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  } else if (source.apiKey) headers.authorization = `ApiKey ${source.apiKey}`;
  const root = base.href.replace(/\/+$/, '');

  const call = async (method: string, path: string, body: object): Promise<SearchPage> => {
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, { method, headers, body: JSON.stringify(body) });
    } catch (error) {
      throw new ElasticsearchError(`cannot reach Elasticsearch at ${root}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ElasticsearchError(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!response.ok) {
      const error = (json as { error?: { type?: string; reason?: string } | string }).error;
      const reason = typeof error === 'string' ? error : error ? `${error.type ?? 'error'}: ${error.reason ?? ''}` : text.slice(0, 200);
      throw new ElasticsearchError(`${method} ${path}: HTTP ${response.status} ${reason}`);
    }
    return json as SearchPage;
  };

  const rows: UsageRow[] = [];
  let page = await call('POST', `/${encodeURIComponent(source.index)}/_search?scroll=1m`, {
    size: source.pageSize ?? 1000,
    sort: ['_doc'],
    query: auditQuery(source.from, source.to),
  });
  let scrollId = page._scroll_id;
  try {
    for (;;) {
      const hits = page.hits?.hits ?? [];
      if (hits.length === 0) break;
      for (const hit of hits) {
        const row = usageRowOf(hit._source);
        if (row !== undefined) rows.push(row);
      }
      if (scrollId === undefined) throw new ElasticsearchError('search answered without a _scroll_id; cannot page further');
      page = await call('POST', '/_search/scroll', { scroll: '1m', scroll_id: scrollId });
      scrollId = page._scroll_id ?? scrollId;
    }
  } finally {
    if (scrollId !== undefined) await call('DELETE', '/_search/scroll', { scroll_id: scrollId }).catch(() => undefined);
  }
  return rows;
}
