/**
 * Tenant usage end to end: the real service process (src/server.ts, JWT auth, the demo model on a worker thread)
 * serves two tenants, its stdout audit lines go to a file, and `npm run usage` turns them into the per-tenant report.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../scripts/usage/cli.js';
import { demoInfer, spawnService, type ServiceProcess } from './production-support/real-service.js';
import { audience, issuer, rsaKeys } from './production-support/tokens.js';

const keys = rsaKeys();
let service: ServiceProcess;
let dir = '';
const today = new Date().toISOString().slice(0, 10);

async function token(sub: string, claims: Record<string, string>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'infer', ...claims })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(keys.privateKey);
}

/** A demo-model body of `rows` rows (distinct per seed, so the cache does not answer it). */
function rowsBody(seed: number, rows: number) {
  const one = demoInfer(seed);
  const ids = Array.from({ length: rows }, (_, r) => (demoInfer(seed * 100 + r).inputs[0]?.data as number[]));
  return {
    ...one,
    inputs: [
      { name: 'input_ids', datatype: 'INT64', shape: [rows, 8], data: ids.flat() },
      { name: 'attention_mask', datatype: 'INT64', shape: [rows, 8], data: ids.flat().map(() => 1) },
    ],
  };
}

async function infer(tok: string, body: object): Promise<number> {
  const res = await fetch(`${service.url}/v2/models/demo/infer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const audits = () => service.logs.filter((l) => (l.event as { dataset?: string } | undefined)?.dataset === 'inference.audit');

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usage-'));
  service = await spawnService({
    AUTH_MODE: 'jwt',
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: audience,
    JWT_PUBLIC_KEY: keys.publicPem,
    USAGE_TENANTS: 'acme',
    LOG_LEVEL: 'info',
  });
  const acme = await token('svc-a', { tenant: 'acme' });
  const globex = await token('svc-g', { org_id: 'globex' });
  // Concurrent, so that some batches hold both tenants' rows and the compute split is exercised.
  const statuses = await Promise.all([
    ...[1, 2, 3].map((s) => infer(acme, demoInfer(s))),
    ...[4, 5].map((s) => infer(globex, rowsBody(s, 4))),
  ]);
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  // A repeat: answered by the result cache, so items but no compute.
  expect(await infer(acme, demoInfer(1))).toBe(200);
  for (let i = 0; audits().length < 6 && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
  await writeFile(join(dir, 'audit.ndjson'), service.logs.map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n');
});

afterAll(async () => {
  service?.child.kill('SIGTERM');
  await service?.exited;
  await rm(dir, { recursive: true, force: true });
});

describe('tenant usage', () => {
  it('the audit line names the tenant from the tenant claim, else org_id, with items and compute seconds', () => {
    const records = audits().map((r) => r.inference as Record<string, unknown>);
    expect(records).toHaveLength(6);
    const acme = records.filter((r) => r.tenant === 'acme');
    const globex = records.filter((r) => r.tenant === 'globex');
    expect(acme.map((r) => r.items)).toEqual([1, 1, 1, 1]);
    expect(globex.map((r) => r.items)).toEqual([4, 4]);
    const hit = acme.find((r) => r.cache_hit === true);
    expect(hit?.compute_seconds).toBe(0);
    for (const r of [...acme.filter((r) => r.cache_hit === false), ...globex]) expect(r.compute_seconds as number).toBeGreaterThan(0);
  });

  it('the worker time of every batch is split among its requests: audit compute sums to the batches’ compute', async () => {
    const text = await (await fetch(service.metricsUrl)).text();
    const batches = metric(text, 'inference_compute_duration_seconds_sum', 'model="demo"');
    const audited = audits().reduce((sum, r) => sum + ((r.inference as { compute_seconds: number }).compute_seconds), 0);
    expect(batches).toBeGreaterThan(0);
    expect(Math.abs(audited - batches)).toBeLessThan(1e-5);
  });

  it('Prometheus counters carry allow-listed tenants by name and the rest as "other"', async () => {
    const text = await (await fetch(service.metricsUrl)).text();
    expect(metric(text, 'inference_tenant_requests_total', 'tenant="acme",model="demo"')).toBe(4);
    expect(metric(text, 'inference_tenant_items_total', 'tenant="acme"')).toBe(4);
    expect(metric(text, 'inference_tenant_requests_total', 'tenant="other"')).toBe(2);
    expect(metric(text, 'inference_tenant_items_total', 'tenant="other"')).toBe(8);
    expect(metric(text, 'inference_tenant_compute_seconds_total', 'tenant="other"')).toBeGreaterThan(0);
    expect(text).not.toContain('tenant="globex"');
  });

  it('npm run usage reports per tenant, model and day with cost = compute s ÷ 3600 × GPU-hour price', async () => {
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(['--from', today, '--to', today, '--input', join(dir, 'audit.ndjson'), '--format', 'csv'], { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(code).toBe(0);
    expect(err.join('')).toContain('skipped 1 line(s) that are not JSON');
    const [header, ...lines] = out.join('').trim().split('\n');
    expect(header).toBe('day,tenant,model,requests,errors,items,prompt_tokens,completion_tokens,compute_seconds,compute_share,cost_usd');
    const byTenant = Object.fromEntries(lines.map((l) => l.split(',')).map((c) => [c[1], c]));
    expect(Object.keys(byTenant).sort()).toEqual(['acme', 'globex']);
    const compute = (tenant: string) =>
      audits().filter((r) => (r.inference as { tenant: string }).tenant === tenant).reduce((s, r) => s + (r.inference as { compute_seconds: number }).compute_seconds, 0);
    for (const [tenant, requests, items] of [['acme', 4, 4], ['globex', 2, 8]] as const) {
      const c = byTenant[tenant] ?? [];
      expect(c.slice(0, 6)).toEqual([today, tenant, 'demo', String(requests), '0', String(items)]);
      expect(Number(c[8])).toBeCloseTo(compute(tenant), 5);
      expect(Number(c[10])).toBeCloseTo((compute(tenant) / 3600) * 1.2, 8); // config/prices.json: demo 1.2 USD per GPU-hour
    }
    expect(Number(byTenant.acme?.[9]) + Number(byTenant.globex?.[9])).toBeCloseTo(1, 3);
  });

  it('the Markdown report has the per-day table and per-tenant totals; days outside the range are left out', async () => {
    const prices = join(dir, 'prices.json');
    await writeFile(prices, JSON.stringify({ currency: 'EUR', default: { gpuHourPrice: 3600 } }));
    const out: string[] = [];
    const code = await main(['--from', today, '--to', today, '--input', join(dir, 'audit.ndjson'), '--prices', prices, '--out', join(dir, 'r.md')], { out: (s) => out.push(s), err: () => {} });
    expect(code).toBe(0);
    const md = await readFile(join(dir, 'r.md'), 'utf8');
    expect(md).toContain(`# Tenant usage ${today} – ${today}`);
    expect(md).toMatch(/\| acme \| 4 \| 4 \| [\d.]+ \| [\d.]+ \|/);
    expect(md).toMatch(/\| globex \| 2 \| 8 \|/);
    expect(md).toContain('Cost in EUR');
    const empty: string[] = [];
    await main(['--from', '2001-01-01', '--to', '2001-01-31', '--input', join(dir, 'audit.ndjson')], { out: (s) => empty.push(s), err: () => {} });
    expect(empty.join('')).toContain('No inference calls in this period.');
  });
});

describe('npm run usage: bad input', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--to', '2026-01-01'], /--from is required/],
    [['--from', '2026-02-30', '--to', '2026-03-01'], /--from must be a calendar day YYYY-MM-DD, got "2026-02-30"/],
    [['--from', '2026-03-02', '--to', '2026-03-01'], /--from 2026-03-02 is after --to 2026-03-01/],
    [['--from', '2026-03-01', '--to', '2026-03-01', '--format', 'pdf'], /--format must be md or csv/],
    [['--from', '2026-03-01', '--to', '2026-03-01', '--elasticsearch', 'http://127.0.0.1:9'], /--elasticsearch and --index go together/],
    [['--from', '2026-03-01', '--to', '2026-03-01', '--bogus'], /Unknown option '--bogus'/],
    [['--from', '2026-03-01', '--to', '2026-03-01', '--input', '/nonexistent/audit.ndjson'], /cannot read --input \/nonexistent\/audit.ndjson/],
  ];
  it.each(cases)('%j → exit 2 with %s', async (argv, message) => {
    const err: string[] = [];
    expect(await main(argv, { out: () => {}, err: (s) => err.push(s) })).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  it('a broken price table names the file and the field', async () => {
    const prices = join(dir, 'bad-prices.json');
    await writeFile(prices, JSON.stringify({ currency: 'USD', default: { gpuHourPrice: -1 } }));
    const err: string[] = [];
    expect(await main(['--from', today, '--to', today, '--input', join(dir, 'audit.ndjson'), '--prices', prices], { out: () => {}, err: (s) => err.push(s) })).toBe(2);
    expect(err.join('')).toContain(`${prices}: default.gpuHourPrice must be a number ≥ 0`);
  });

  it('the npm script itself exits non-zero with the message', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const result = await promisify(execFile)('npm', ['run', '--silent', 'usage', '--', '--from', 'yesterday', '--to', today], { cwd: root }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from must be a calendar day YYYY-MM-DD, got "yesterday"');
  });
});
