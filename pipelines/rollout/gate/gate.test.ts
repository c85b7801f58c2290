import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModel } from '../fixtures/v2-backend.js';
import { figuresFromSummary } from './k6-gate.js';
import { LoadGenerator } from './load-generator.js';

let server: Server;
let url = '';
let seen = 0;

beforeAll(async () => {
  // Every third call fails; the others answer correctly except that every fifth does not echo the id.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      seen += 1;
      const { id } = JSON.parse(body) as { id: string };
      if (seen % 3 === 0) {
        res.statusCode = 500;
        return void res.end('{"error":"injected fault"}');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        id: seen % 5 === 0 ? 'wrong' : id,
        model_name: 'demo',
        outputs: [{ name: 'logits', datatype: 'FP32', shape: [1, 2], data: [0.5, 0.5] }],
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('Node load generator', () => {
  it('holds the arrival rate and counts failures and failed meaning checks separately', async () => {
    const load = new LoadGenerator({ baseUrl: url, model: 'demo', ratePerSecond: 50 }, fixtureModel).start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const figures = await load.stop();
    expect(figures.requests).toBeGreaterThanOrEqual(45);
    expect(figures.requests).toBeLessThanOrEqual(55);
    expect(figures.failed).toBe(Math.floor(seen / 3));
    expect(figures.checksPassed).toBe(seen - Math.floor(seen / 3) - countWrongIds(seen));
    expect(figures.failureSamples).toContain('HTTP 500 {"error":"injected fault"}');
    expect(figures.p95Ms).toBeGreaterThan(0);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new LoadGenerator({ baseUrl: url, model: 'demo', ratePerSecond: 0 }, fixtureModel)).toThrow(/ratePerSecond must be positive/);
  });
});

/** Calls numbered n ≤ total that answered 200 but with a wrong id (multiples of 5 that are not multiples of 3). */
function countWrongIds(total: number): number {
  let n = 0;
  for (let i = 1; i <= total; i += 1) if (i % 5 === 0 && i % 3 !== 0) n += 1;
  return n;
}

describe('k6 gate figures', () => {
  it('reads the tagged infer metrics and the request counter from the k6 summary', () => {
    const figures = figuresFromSummary({
      metrics: {
        'http_req_duration{endpoint:infer}': { type: 'trend', values: { 'p(95)': 41.5 } },
        'http_req_failed{endpoint:infer}': { type: 'rate', values: { rate: 0.002 } },
        'checks{endpoint:infer}': { type: 'rate', values: { rate: 0.998 } },
        http_req_duration: { type: 'trend', values: { 'p(95)': 999 } },
        infer_requests: { type: 'counter', values: { count: 1200 } },
      },
    });
    expect(figures).toEqual({ tool: 'k6', requests: 1200, errorRate: 0.002, p95Ms: 41.5, checksRate: 0.998, failureSamples: [] });
  });
});
