import { describe, expect, it } from 'vitest';
import { firstCanaryStep } from '../../policies/slo.js';
import { environmentNames, loadEnvironment, validateEnvironment, type EnvironmentConfig } from './index.js';

const prod = loadEnvironment('prod');
const invalid = (patch: Partial<EnvironmentConfig>) => () => validateEnvironment({ ...prod, ...patch });

describe('environments', () => {
  it('all load and validate', () => {
    expect(environmentNames.map((n) => loadEnvironment(n).name)).toEqual(['dev', 'staging', 'prod']);
  });

  it('send at most the first canary step to the canary', () => {
    for (const name of environmentNames) expect(loadEnvironment(name).canaryWeight).toBeLessThanOrEqual(firstCanaryStep);
    expect(invalid({ canaryWeight: 50 })).toThrow(/canaryWeight 50 must be an integer from 0 to 20/);
  });

  it('send no traffic to a canary that runs no pods', () => {
    const noCanary = { ...prod.inference, canary: { ...prod.inference.canary, replicas: 0 } };
    expect(invalid({ canaryWeight: 20, inference: noCanary })).toThrow(/canaryWeight 20 with inference\.canary\.replicas 0 would fail 20 % of requests/);
    expect(validateEnvironment({ ...prod, canaryWeight: 0, inference: noCanary }).canaryWeight).toBe(0);
  });

  it('reject a GPU with less than 80 GB and name the eligible types', () => {
    const pools = [{ name: 'v100', instanceTypes: ['p3.2xlarge'], minNodes: 0, maxNodes: 1, capacityType: 'on-demand' as const }];
    expect(invalid({ nodePools: pools })).toThrow(/"p3\.2xlarge" carries NVIDIA V100 \(32 GB at most\) with 32 GB; pools need ≥ 80 GB per GPU — use one of p4de\.24xlarge, p5\.48xlarge/);
  });

  it('reject instance types missing from the catalog for the cloud', () => {
    const pools = [{ name: 'x', instanceTypes: ['a2-ultragpu-1g'], minNodes: 0, maxNodes: 1, capacityType: 'spot' as const }];
    expect(invalid({ nodePools: pools })).toThrow(/"a2-ultragpu-1g" is not a known aws GPU type/);
  });

  it('reject names longer than 63 characters', () => {
    const pools = [{ ...prod.nodePools[0]!, name: 'p'.repeat(64) }];
    expect(invalid({ nodePools: pools })).toThrow(/is 64 characters long; Kubernetes allows at most 63/);
  });

  it('require HPA min ≥ 2 outside dev, an image digest, and a model store of at least 1Ti', () => {
    const inference = prod.inference;
    expect(invalid({ inference: { ...inference, autoscaling: { ...inference.autoscaling, minReplicas: 1 } } })).toThrow(/minReplicas is 1; outside dev keep at least 2/);
    expect(invalid({ inference: { ...inference, stable: { ...inference.stable, imageDigest: 'latest' } } })).toThrow(/inference\.stable\.imageDigest "latest"/);
    expect(invalid({ inference: { ...inference, modelStoreSize: '500Gi' } })).toThrow(/500Gi is below the 1Ti/);
  });

  it('reject scheduler settings the service would refuse at start', () => {
    const inference = prod.inference;
    expect(invalid({ inference: { ...inference, generation: { maxSequences: 0 } } })).toThrow(/inference\.generation\.maxSequences must be an integer ≥ 1, got 0/);
    expect(invalid({ inference: { ...inference, generation: { prefillChunkTokens: 1.5 } } })).toThrow(/prefillChunkTokens must be an integer ≥ 1, got 1\.5/);
    expect(validateEnvironment({ ...prod, inference: { ...inference, generation: { kvCacheTokens: 0 } } }).inference.generation).toEqual({ kvCacheTokens: 0 });
  });

  it('reject generation settings whose streams could fill the admission gate before the engine answers 429', () => {
    const inference = prod.inference;
    expect(invalid({ inference: { ...inference, generation: { maxSequences: 200, maxQueue: 64 } } })).toThrow(
      /inference\.generation: GENERATE_MAX_SEQUENCES 200 × WORKER_THREADS 1 \+ GENERATE_MAX_QUEUE 64 = 264 streams can fill MAX_INFLIGHT_REQUESTS 256/,
    );
  });

  it('reject generation autoscaling targets that an HPA cannot use', () => {
    const inference = prod.inference;
    const withGeneration = (activeSequencesTarget: number, kvCacheUsageTarget: number) => ({
      inference: { ...inference, autoscaling: { ...inference.autoscaling, generation: { activeSequencesTarget, kvCacheUsageTarget } } },
    });
    expect(invalid(withGeneration(0, 0.8))).toThrow(/generation\.activeSequencesTarget must be an integer ≥ 1, got 0/);
    expect(invalid(withGeneration(24, 80))).toThrow(/generation\.kvCacheUsageTarget is a fraction in \(0, 1\], got 80/);
    expect(validateEnvironment({ ...prod, ...withGeneration(8, 1) }).inference.autoscaling.generation).toEqual({ activeSequencesTarget: 8, kvCacheUsageTarget: 1 });
  });

  it('require gRPC client namespaces exactly when gRPC is enabled', () => {
    const inference = prod.inference;
    expect(invalid({ inference: { ...inference, grpc: { enabled: true, clientNamespaces: [] } } })).toThrow(/inference\.grpc\.clientNamespaces is empty/);
    expect(invalid({ inference: { ...inference, grpc: { enabled: false, clientNamespaces: ['ml-clients'] } } })).toThrow(/lists ml-clients but gRPC is not enabled/);
    expect(() => validateEnvironment({ ...prod, inference: { ...inference, grpc: { enabled: true, clientNamespaces: ['ml-clients'] } } })).not.toThrow();
  });

  it('reject chart version ranges and the local backend outside dev', () => {
    expect(invalid({ charts: { kubePrometheusStack: '^88.0.0' } })).toThrow(/charts\.kubePrometheusStack "\^88\.0\.0" must be an exact version/);
    expect(invalid({ backend: { type: 'local' } })).toThrow(/local backend is for dev only/);
  });

  it('reject a sampler ratio outside 0..1, a single Jaeger outside dev, and more index replicas than nodes allow', () => {
    expect(invalid({ tracing: { ...prod.tracing, samplerRatio: 5 } })).toThrow(/tracing\.samplerRatio 5 must be between 0 and 1/);
    expect(invalid({ tracing: { ...prod.tracing, jaegerReplicas: 1 } })).toThrow(/tracing\.jaegerReplicas is 1; outside dev keep at least 2/);
    expect(invalid({ tracing: { ...prod.tracing, indexReplicas: 3 } })).toThrow(/tracing\.indexReplicas 3 must be an integer from 0 to logging\.elasticsearchNodes − 1 \(2\)/);
    expect(invalid({ charts: { jaeger: '4.x' } })).toThrow(/charts\.jaeger "4\.x" must be an exact version/);
  });

  it('report every problem at once', () => {
    try {
      validateEnvironment({ ...prod, canaryWeight: 99, backend: { type: 'local' } });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.split('\n  - ')).toHaveLength(3);
    }
  });

  it('name the known environments when asked for an unknown one', () => {
    expect(() => loadEnvironment('qa')).toThrow('unknown environment "qa"; expected one of dev, staging, prod');
  });
});
