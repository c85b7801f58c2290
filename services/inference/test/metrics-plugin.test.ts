/** The metrics listener scraped over real HTTP after traffic through the production plugin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { metricNames } from '../src/metrics/names.js';
import { metricsObserver } from '../src/metrics/observer.js';
import { boundPort, startMetricsServer } from '../src/metrics/server.js';
import { fixtureApp, inferBody, type Fixture } from './production-support/fixture-app.js';

let fx: Fixture;
let server: FastifyInstance;
let scrape: () => Promise<string>;

beforeAll(async () => {
  fx = await fixtureApp({ AUTH_MODE: 'none' });
  server = await startMetricsServer({ registry: fx.metrics.registry, host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${boundPort(server)}/metrics`;
  scrape = async () => {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
});
afterAll(async () => {
  await server.close();
  await fx.app.close();
});

describe('metrics', () => {
  it('counts requests by model, version and status with bounded labels', async () => {
    for (let i = 0; i < 3; i++) await fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[i, 1]]) });
    await fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: { inputs: [] } });
    await fx.app.inject({ method: 'POST', url: '/v2/models/random-name-123/infer', payload: inferBody([[1]]) });
    const text = await scrape();
    expect(text).toContain(`${metricNames.requests}{model="demo",version="1",status="200"} 3`);
    expect(text).toContain(`${metricNames.requests}{model="demo",version="1",status="400"} 1`);
    expect(text).toContain(`${metricNames.requests}{model="unknown",version="unknown",status="404"} 1`);
    expect(text).not.toContain('random-name-123');
    // Buckets resolve the SLO (200 ms) and the alert threshold (500 ms).
    expect(text).toContain(`${metricNames.requestDuration}_bucket{le="0.2",model="demo",version="1"}`);
    expect(text).toContain(`${metricNames.requestDuration}_bucket{le="0.5",model="demo",version="1"}`);
    expect(text).toMatch(new RegExp(`${metricNames.inflight} 0`));
  });

  it('exports batcher observations, queue depth, worker restarts and model readiness', async () => {
    const observer = metricsObserver(fx.metrics);
    observer.batch({ model: 'demo', version: '1', batchSize: 16, queueMs: [1, 2, 3], computeMs: 12 });
    observer.queueDepth('demo', '1', 5);
    observer.workerRestart();
    observer.modelReady('demo', '1', true);
    const text = await scrape();
    expect(text).toContain(`${metricNames.batchSize}_bucket{le="16",model="demo",version="1"} 1`);
    expect(text).toContain(`${metricNames.queueDuration}_count{model="demo",version="1"} 3`);
    expect(text).toContain(`${metricNames.computeDuration}_sum{model="demo",version="1"} 0.012`);
    expect(text).toContain(`${metricNames.queueDepth}{model="demo",version="1"} 5`);
    expect(text).toContain(`${metricNames.workerRestarts} 1`);
    expect(text).toContain(`${metricNames.modelReady}{model="demo",version="1"} 1`);
  });

  it('serves every contract metric, with HELP and TYPE lines', async () => {
    const text = await scrape();
    for (const name of Object.values(metricNames)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain(`# TYPE ${metricNames.requestDuration} histogram`);
    expect(text).toContain(`# TYPE ${metricNames.requests} counter`);
  });
});
