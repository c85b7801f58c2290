import { describe, expect, it } from 'vitest';
import { faultConfigFromEnv } from '../src/fault/config.js';
import { fixtureApp, inferBody } from './production-support/fixture-app.js';

describe('fault injection', () => {
  it('is off by default', async () => {
    expect(faultConfigFromEnv({})).toEqual({ delayMs: 0, errorRate: 0 });
  });

  it('answers the configured fraction with 500 {"error":"injected fault"} and records it in the metrics', async () => {
    const fx = await fixtureApp({ AUTH_MODE: 'none', FAULT_ERROR_RATE: '0.5', CACHE_ENABLED: 'false' });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[i, 1]]) })),
    );
    const errors = results.filter((r) => r.statusCode === 500);
    expect(errors.length).toBeGreaterThan(60); // binomial(200, 0.5): below 60 has probability < 1e-8
    expect(errors.length).toBeLessThan(140);
    expect(errors[0]!.json()).toEqual({ error: 'injected fault' });
    expect(results.every((r) => r.statusCode === 200 || r.statusCode === 500)).toBe(true);
    const text = await fx.metrics.registry.metrics();
    expect(text).toContain(`inference_requests_total{model="demo",version="1",status="500"} ${errors.length}`);
    expect(text).toContain(`inference_faults_injected_total{kind="error"} ${errors.length}`);
    expect((await fx.app.inject({ url: '/v2/health/ready' })).statusCode).toBe(200);
    await fx.app.close();
  });

  it('adds FAULT_DELAY_MS to inference calls only', async () => {
    const fx = await fixtureApp({ AUTH_MODE: 'none', FAULT_DELAY_MS: '150' });
    const t0 = performance.now();
    await fx.app.inject({ method: 'POST', url: '/v2/models/demo/infer', payload: inferBody([[1]]) });
    const inferMs = performance.now() - t0;
    expect(inferMs).toBeGreaterThanOrEqual(145);
    expect(await fx.metrics.registry.metrics()).toContain('inference_faults_injected_total{kind="delay"} 1');
    await fx.app.close();
  });

  it.each([
    [{ FAULT_ERROR_RATE: '1.5' }, /FAULT_ERROR_RATE must be a fraction 0..1/],
    [{ FAULT_DELAY_MS: '-1' }, /FAULT_DELAY_MS must be a number/],
  ])('refuses %o', (env, message) => {
    expect(() => faultConfigFromEnv(env)).toThrow(message);
  });
});
