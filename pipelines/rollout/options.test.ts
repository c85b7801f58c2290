import { describe, expect, it } from 'vitest';
import { slo } from '../../policies/slo.js';
import { loadEnvironment } from '../../stacks/environments/index.js';
import { parseRolloutArgs } from './options.js';

describe('rollout command line', () => {
  it('takes the gateway and kube context from the environment data and timings from the SLO', () => {
    const prod = loadEnvironment('prod');
    const o = parseRolloutArgs(['--env=prod', '--prometheus=http://127.0.0.1:9090/'], { ROLLOUT_TOKEN: 'jwt' });
    expect(o.gatewayUrl).toBe(`https://${prod.tls.hostnames[0]}`);
    expect(o.prometheusUrl).toBe('http://127.0.0.1:9090');
    expect(o.windowSeconds).toBe(slo.gateWindowSeconds);
    expect(o.gateRate * o.windowSeconds).toBeGreaterThanOrEqual(slo.gateMinRequests);
    expect(o.token).toBe('jwt');
    expect(o.kubernetes).toMatchObject({
      namespace: 'inference',
      route: 'inference',
      stableService: 'inference-stable',
      canaryService: 'inference-canary',
      context: prod.kubeContext,
    });
  });

  it('refuses a missing or unknown environment, a missing Prometheus and a bad window with a clear message', () => {
    expect(() => parseRolloutArgs(['--prometheus=x'], {})).toThrow(/--env is required/);
    expect(() => parseRolloutArgs(['--env=moon', '--prometheus=x'], {})).toThrow(/unknown environment "moon"/);
    expect(() => parseRolloutArgs(['--env=prod'], {})).toThrow(/--prometheus is required/);
    expect(() => parseRolloutArgs(['--env=prod', '--prometheus=x', '--window=-3'], {})).toThrow(/--window must be a positive number, got "-3"/);
    expect(() => parseRolloutArgs(['--env=prod', '--prometheus=x', '--bogus'], {})).toThrow(/bogus/);
    expect(() => parseRolloutArgs(['--env=prod', '--prometheus=x', '--generate-model=a b'], {})).toThrow(/--generate-model "a b" is not a model name/);
  });

  it("streams to the environment's generative model unless --generate-model overrides or empties it", () => {
    expect(loadEnvironment('prod').inference.generativeModel).toBe('demo-llm');
    expect(parseRolloutArgs(['--env=prod', '--prometheus=x'], {}).generateModel).toBe('demo-llm');
    expect(parseRolloutArgs(['--env=prod', '--prometheus=x', '--generate-model=legal-7b'], {}).generateModel).toBe('legal-7b');
    expect(parseRolloutArgs(['--env=prod', '--prometheus=x', '--generate-model='], {})).not.toHaveProperty('generateModel');
    expect(parseRolloutArgs(['--env=dev', '--prometheus=x', '--gateway=http://127.0.0.1:8080'], {})).not.toHaveProperty('generateModel');
  });
});
