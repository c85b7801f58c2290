import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModel } from '../fixtures/v2-backend.js';
import { figuresFromSummary } from './k6-gate.js';
import { sleep } from '../../lib/wait.js';
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
  it('holds the arrival rate when ticks fire late, and counts failures and failed meaning checks separately', async () => {
    const rate = 50;
    // Arrival n is due n / rate s after start(), so after t s exactly floor(t × rate) + 1 have been sent. Clock
    // readings on both sides of start() and of each check bracket t without any tolerance for a busy machine.
    const expected = (fromMs: number, toMs: number): number => Math.floor(((toMs - fromMs) * rate) / 1000) + 1;
    const beforeStart = Date.now();
    const load = new LoadGenerator({ baseUrl: url, model: 'demo', ratePerSecond: rate }, fixtureModel).start();
    const afterStart = Date.now();
    await sleep(300);
    // No timer fires for 10 ticks, as on a loaded machine; the next tick must start the missed arrivals.
    const blockedUntil = blockEventLoop(200);
    await sleep(25);
    const caughtUp = load.snapshot().requests;
    expect(caughtUp).toBeGreaterThanOrEqual(expected(afterStart, blockedUntil));
    expect(caughtUp).toBeLessThanOrEqual(expected(beforeStart, Date.now()));
    await sleep(400);
    // A stop that comes late after the last tick (the gate's window timer fired late) still gets the whole window.
    blockEventLoop(100);
    const beforeStop = Date.now();
    const stopping = load.stop();
    const afterStop = Date.now();
    const figures = await stopping;
    expect(figures.requests).toBeGreaterThanOrEqual(expected(afterStart, beforeStop));
    expect(figures.requests).toBeLessThanOrEqual(expected(beforeStart, afterStop));
    expect(figures.requests).toBe(seen);
    expect(figures.failed).toBe(Math.floor(seen / 3));
    expect(figures.checksPassed).toBe(seen - Math.floor(seen / 3) - countWrongIds(seen));
    expect(figures.failureSamples).toContain('HTTP 500 {"error":"injected fault"}');
    expect(figures.p95Ms).toBeGreaterThan(0);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new LoadGenerator({ baseUrl: url, model: 'demo', ratePerSecond: 0 }, fixtureModel)).toThrow(/ratePerSecond must be positive/);
  });
});

/** Keeps the event loop busy for `ms` (no timer can fire meanwhile); returns when it ended, by Date.now(). */
function blockEventLoop(ms: number): number {
  const until = Date.now() + ms;
  while (Date.now() < until);
  return until;
}

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

  it('reads the stream figures when the gate streamed to a generative model', () => {
    const figures = figuresFromSummary({
      metrics: {
        infer_requests: { type: 'counter', values: { count: 1200 } },
        generate_streams: { type: 'counter', values: { count: 120 } },
        generate_ttft: { type: 'trend', values: { 'p(95)': 61.2 } },
        generate_itl: { type: 'trend', values: { 'p(95)': 7.5 } },
        'http_req_failed{endpoint:generate}': { type: 'rate', values: { rate: 0 } },
        'checks{endpoint:generate}': { type: 'rate', values: { rate: 1 } },
      },
    });
    expect(figures.stream).toEqual({ streams: 120, errorRate: 0, ttftP95Ms: 61.2, itlP95Ms: 7.5, checksRate: 1 });
  });
});
