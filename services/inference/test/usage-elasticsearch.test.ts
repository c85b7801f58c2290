/**
 * The usage report's Elasticsearch reader against a loopback HTTP server that answers the scroll API the way
 * Elasticsearch documents it (request and response bodies of _search?scroll, _search/scroll, DELETE
 * _search/scroll, and the error object). Debian ships no Elasticsearch server, so this is the closest real thing
 * that runs here; the server applies the query's range and dataset filter itself, so a wrong query shows.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElasticsearch } from '../scripts/usage/elasticsearch.js';
import { main } from '../scripts/usage/cli.js';

interface Doc {
  readonly '@timestamp': string;
  readonly event: { readonly dataset: string };
  readonly inference?: Record<string, unknown>;
}

const audit = (ts: string, tenant: string, items: number, compute: number): Doc => ({
  '@timestamp': ts,
  event: { dataset: 'inference.audit' },
  inference: { model: 'demo', version: '1', status: 200, tenant, items, compute_seconds: compute },
});

const docs: Doc[] = [
  audit('2026-03-01T00:00:00.000Z', 'acme', 1, 0.5),
  audit('2026-03-01T12:00:00.000Z', 'acme', 2, 1),
  audit('2026-03-02T23:59:59.999Z', 'globex', 4, 2),
  audit('2026-03-03T00:00:00.000Z', 'globex', 8, 4), // after --to
  audit('2026-02-28T23:59:59.999Z', 'acme', 16, 8), // before --from
  { '@timestamp': '2026-03-01T10:00:00.000Z', event: { dataset: 'inference.access' } },
];

let server: Server;
let url = '';
const calls: string[] = [];
const scrolls = new Map<string, Doc[]>();
let pageSize = 0;

function matches(doc: Doc, query: { bool: { filter: Array<Record<string, Record<string, unknown>>> } }): boolean {
  return query.bool.filter.every((clause) => {
    if (clause.match) return doc.event.dataset === clause.match['event.dataset'];
    const range = clause.range?.['@timestamp'] as { gte: string; lt: string };
    return Date.parse(doc['@timestamp']) >= Date.parse(range.gte) && Date.parse(doc['@timestamp']) < Date.parse(range.lt);
  });
}

const page = (id: string) => {
  const rest = scrolls.get(id) ?? [];
  const hits = rest.splice(0, pageSize).map((d, i) => ({ _index: 'logs-inference', _id: String(i), _score: null, _source: d }));
  return { _scroll_id: id, took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, max_score: null, hits } };
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const json = body ? JSON.parse(body) : {};
      const send = (status: number, payload: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      const search = /^\/([^/]+)\/_search\?scroll=1m$/.exec(req.url ?? '');
      if (req.method === 'POST' && search) {
        if (search[1] !== 'logs-inference') {
          return send(404, { error: { root_cause: [{ type: 'index_not_found_exception', reason: `no such index [${search[1]}]` }], type: 'index_not_found_exception', reason: `no such index [${search[1]}]` }, status: 404 });
        }
        pageSize = json.size;
        const id = `scroll-${scrolls.size}`;
        scrolls.set(id, docs.filter((d) => matches(d, json.query)));
        return send(200, page(id));
      }
      if (req.method === 'POST' && req.url === '/_search/scroll') return send(200, page(json.scroll_id));
      if (req.method === 'DELETE' && req.url === '/_search/scroll') {
        scrolls.delete(json.scroll_id);
        return send(200, { succeeded: true, num_freed: 1 });
      }
      return send(400, { error: 'unexpected request' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('usage report from Elasticsearch (scroll API)', () => {
  it('pages through every audit hit of the range and frees the scroll', async () => {
    calls.length = 0;
    const rows = await readElasticsearch({ url, index: 'logs-inference', from: '2026-03-01', to: '2026-03-02', pageSize: 2 });
    expect(rows.map((r) => [r.day, r.tenant, r.items])).toEqual([
      ['2026-03-01', 'acme', 1],
      ['2026-03-01', 'acme', 2],
      ['2026-03-02', 'globex', 4],
    ]);
    // Pages of 2: 2 hits, 1 hit, then an empty page ends the scroll.
    expect(calls).toEqual(['POST /logs-inference/_search?scroll=1m', 'POST /_search/scroll', 'POST /_search/scroll', 'DELETE /_search/scroll']);
    expect(scrolls.size).toBe(0);
  });

  it('npm run usage --elasticsearch prints the per-day report', async () => {
    const out: string[] = [];
    const code = await main(['--from', '2026-03-01', '--to', '2026-03-02', '--elasticsearch', url, '--index', 'logs-inference', '--format', 'csv'], { out: (s) => out.push(s), err: () => {} });
    expect(code).toBe(0);
    expect(out.join('').trim().split('\n').slice(1)).toEqual([
      '2026-03-01,acme,demo,2,0,3,0,0,1.500000,1.0000,0.000500000',
      '2026-03-02,globex,demo,1,0,4,0,0,2.000000,1.0000,0.000666667',
    ]);
  });

  it('an Elasticsearch error reaches the user with its type and reason, exit 2', async () => {
    const err: string[] = [];
    const code = await main(['--from', '2026-03-01', '--to', '2026-03-02', '--elasticsearch', url, '--index', 'nope'], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('')).toContain('HTTP 404 index_not_found_exception: no such index [nope]');
  });

  it('an unreachable Elasticsearch is named', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err: string[] = [];
    const code = await main(['--from', '2026-03-01', '--to', '2026-03-02', '--elasticsearch', `http://127.0.0.1:${port}`, '--index', 'x'], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(new RegExp(`cannot reach Elasticsearch at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });
});
