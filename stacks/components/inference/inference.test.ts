import { App, TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import '../../test/matchers.js';
import { slo } from '../../../policies/slo.js';
import { shutdownDefaults } from '../../../services/inference/src/shutdown/config.js';
import { loadEnvironment } from '../../environments/index.js';
import { byName, resources, stack } from '../../test/synth.js';
import { Inference } from './index.js';
import { livenessWorstCaseSeconds, probeDefaults, restartWorstCaseSeconds } from './probes.js';

const prod = stack('inference-prod');
const container = (name: string) => byName(prod, 'kubernetes_deployment_v1', name).spec.template.spec.container[0];

describe('inference Deployments', () => {
  it('run stable and canary from the environment digests, with a track label each', () => {
    const env = loadEnvironment('prod');
    for (const track of ['stable', 'canary'] as const) {
      const d = byName(prod, 'kubernetes_deployment_v1', `inference-${track}`);
      expect(d.spec.template.metadata.labels.track).toBe(track);
      expect(d.spec.template.spec.container[0].image).toBe(`${env.inference.imageRepository}@${env.inference[track].imageDigest}`);
    }
  });

  it('request and limit whole GPUs and tolerate and select the GPU pool', () => {
    const c = container('inference-stable');
    expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(c.resources.requests).toEqual(c.resources.limits);
    const pod = byName(prod, 'kubernetes_deployment_v1', 'inference-stable').spec.template.spec;
    expect(pod.toleration).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.node_selector).toEqual({ 'blueprint.dev/gpu-class': 'gpu-80gb' });
    const dev = byName(stack('inference-dev'), 'kubernetes_deployment_v1', 'inference-stable').spec.template.spec;
    expect(dev.node_selector).toEqual({ 'cloud.google.com/compute-class': 'gpu-80gb' });
  });

  it('probe the V2 health endpoints and restart a hang, grace period included, within the SLO bound', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const pod = byName(stack(`inference-${env}`), 'kubernetes_deployment_v1', 'inference-stable').spec.template.spec;
      const c = pod.container[0];
      expect(c.liveness_probe).toMatchObject({ http_get: { path: '/v2/health/live', port: 'http' }, period_seconds: 5, failure_threshold: 4, timeout_seconds: 2 });
      expect(c.readiness_probe.http_get.path).toBe('/v2/health/ready');
      expect(c.startup_probe.failure_threshold * c.startup_probe.period_seconds).toBeGreaterThanOrEqual(300);
      // A hung event loop never handles SIGTERM: the restart comes after detection plus the whole grace period.
      const detection = c.liveness_probe.period_seconds * c.liveness_probe.failure_threshold + c.liveness_probe.timeout_seconds;
      expect(detection + pod.termination_grace_period_seconds, env).toBeLessThanOrEqual(slo.restartWithinSeconds);
      expect(restartWorstCaseSeconds(probeDefaults.liveness, pod.termination_grace_period_seconds)).toBe(detection + pod.termination_grace_period_seconds);
    }
    expect(livenessWorstCaseSeconds(probeDefaults.liveness)).toBe(22);
  });

  it('refuse probe timings that would leave a hung container running past the SLO', () => {
    const scope = new TerraformStack(Testing.app(), 'probe-check');
    expect(
      () =>
        new Inference(scope, 'inference', {
          namespace: 'inference',
          cloud: 'aws',
          spec: loadEnvironment('prod').inference,
          secrets: { redisUrl: 'x', cacheEncryptionKey: 'x', cacheHmacKey: 'x', jwtPublicKey: 'x' },
          secretRevision: 1,
          modelStoreClaim: 'model-store',
          probes: { ...probeDefaults, liveness: { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 } },
        }),
    ).toThrow(/10×3\+2 s \(liveness\) \+ 30 s \(terminationGracePeriodSeconds\) = 62 s; policies\/slo.ts allows 60 s/);
  });

  it('are Pod Security restricted with a read-only root and no service-account token', () => {
    const pod = byName(prod, 'kubernetes_deployment_v1', 'inference-canary').spec.template.spec;
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
    expect(pod.container[0].security_context).toMatchObject({
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('name ports http 8080 and metrics 9000 and mount the model store read-only', () => {
    const c = container('inference-stable');
    expect(c.port).toEqual([
      { name: 'http', container_port: 8080, protocol: 'TCP' },
      { name: 'metrics', container_port: 9000, protocol: 'TCP' },
    ]);
    expect(c.volume_mount).toContainEqual({ name: 'model-store', mount_path: '/models', read_only: true });
  });

  it('declare the gRPC port 8081 and its settings only where the environment enables gRPC (dev)', () => {
    const dev = stack('inference-dev');
    for (const track of ['stable', 'canary']) {
      const ports = byName(dev, 'kubernetes_deployment_v1', `inference-${track}`).spec.template.spec.container[0].port;
      expect(ports).toContainEqual({ name: 'grpc', container_port: 8081, protocol: 'TCP' });
      const service = byName(dev, 'kubernetes_service_v1', `inference-${track}`);
      expect(service.spec.port).toContainEqual({ name: 'grpc', port: 8081, target_port: 'grpc', protocol: 'TCP', app_protocol: 'kubernetes.io/h2c' });
    }
    expect(byName(dev, 'kubernetes_config_map_v1', 'inference-config').data).toMatchObject({ GRPC_ENABLED: 'true', GRPC_PORT: '8081' });
    for (const env of ['staging', 'prod']) {
      const settings = byName(stack(`inference-${env}`), 'kubernetes_config_map_v1', 'inference-config').data;
      expect(Object.keys(settings).filter((k) => k.startsWith('GRPC_')), env).toEqual([]);
    }
  });

  it('let apply wait for a GPU node and the whole startup budget before giving up on a rollout', () => {
    const deployment = byName(prod, 'kubernetes_deployment_v1', 'inference-stable');
    const startupSeconds = probeDefaults.startup.periodSeconds * probeDefaults.startup.failureThreshold;
    expect(deployment.wait_for_rollout).toBe(true);
    expect(parseInt(deployment.timeouts.create, 10) * 60).toBeGreaterThanOrEqual(startupSeconds + 600);
    expect(deployment.timeouts.update).toBe(deployment.timeouts.create);
  });

  it('sleep in preStop, then give the drain bound room before SIGKILL', () => {
    const env = loadEnvironment('prod');
    const pod = byName(prod, 'kubernetes_deployment_v1', 'inference-stable').spec.template.spec;
    expect(pod.container[0].lifecycle.pre_stop[0].exec.command).toEqual(['sleep', String(shutdownDefaults.preStopSleepSeconds)]);
    expect(pod.termination_grace_period_seconds).toBeGreaterThan(shutdownDefaults.preStopSleepSeconds + env.inference.shutdownTimeoutSeconds);
    // 5 s preStop + 20 s drain + 5 s margin: the grace period the service itself suggests.
    expect(pod.termination_grace_period_seconds).toBe(shutdownDefaults.terminationGracePeriodSeconds);
    const config = byName(prod, 'kubernetes_config_map_v1', 'inference-config').data;
    expect(config.SHUTDOWN_TIMEOUT_SECONDS).toBe(String(env.inference.shutdownTimeoutSeconds));
    expect(config.CACHE_TTL_SECONDS).toBe(String(slo.cacheTtlSeconds));
  });

  it('take JWT keys from JWKS in prod and from a mounted Secret file in staging', () => {
    expect(byName(prod, 'kubernetes_config_map_v1', 'inference-config').data).toMatchObject({ AUTH_MODE: 'jwt', JWKS_URL: expect.stringMatching(/^https:/) });
    const staging = byName(stack('inference-staging'), 'kubernetes_config_map_v1', 'inference-config').data;
    expect(staging.JWT_PUBLIC_KEY_FILE).toBe('/var/run/secrets/inference/jwt-public-key.pem');
    expect(staging).not.toHaveProperty('JWKS_URL');
    expect(prod.raw).toHaveResourceWithProperties('kubernetes_secret_v1', { metadata: { name: 'inference-files' } });
    // The PEM is required where it is read (staging), optional where JWKS or no auth is used.
    expect(stack('inference-staging').json.variable?.jwt_public_key).not.toHaveProperty('default');
    expect(prod.json.variable?.jwt_public_key?.default).toBe('');
    expect(stack('inference-dev').json.variable?.jwt_public_key?.default).toBe('');
  });
});

describe('generation settings', () => {
  it('reach the service as GENERATE_* settings where the environment sets them, and only those', () => {
    const prod = byName(stack('inference-prod'), 'kubernetes_config_map_v1', 'inference-config').data;
    expect(prod).toMatchObject({ GENERATE_MAX_SEQUENCES: '128', GENERATE_PREFILL_CHUNK_TOKENS: '256', GENERATE_MAX_QUEUE: '64' });
    expect(prod).not.toHaveProperty('GENERATE_KV_CACHE_TOKENS');
    // One worker thread per GPU, in every environment: four sessions and KV caches on one GPU would fight for it.
    expect(prod.WORKER_THREADS).toBe('1');
    const dev = byName(stack('inference-dev'), 'kubernetes_config_map_v1', 'inference-config').data;
    expect(Object.keys(dev).filter((k) => k.startsWith('GENERATE_'))).toEqual([]);
  });
});

describe('stable autoscaling', () => {
  it('keeps at least 2 replicas outside dev, scales on queue depth with CPU as fallback', () => {
    for (const env of ['staging', 'prod']) {
      const hpa = byName(stack(`inference-${env}`), 'kubernetes_horizontal_pod_autoscaler_v2', 'inference-stable');
      expect(hpa.spec.min_replicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.metric.map((m: { type: string }) => m.type)).toEqual(['Pods', 'Pods', 'Pods', 'Resource']);
      expect(hpa.spec.metric[0].pods.metric.name).toBe('inference_queue_depth');
      expect(hpa.spec.metric[3].resource.name).toBe('cpu');
    }
  });

  it('scales a generative model on active sequences and KV-cache use where the environment asks for it', () => {
    const prodHpa = byName(stack('inference-prod'), 'kubernetes_horizontal_pod_autoscaler_v2', 'inference-stable');
    expect(prodHpa.spec.metric[1].pods).toEqual({
      metric: { name: 'inference_generate_active_sequences' },
      target: { type: 'AverageValue', average_value: '24' },
    });
    expect(prodHpa.spec.metric[2].pods).toEqual({
      metric: { name: 'inference_generate_kv_cache_usage_ratio' },
      target: { type: 'AverageValue', average_value: '800m' },
    });
    // dev declares no generation targets: queue depth and CPU only.
    const devHpa = byName(stack('inference-dev'), 'kubernetes_horizontal_pod_autoscaler_v2', 'inference-stable');
    expect(devHpa.spec.metric.map((m: { type: string }) => m.type)).toEqual(['Pods', 'Resource']);
  });

  it('has a PodDisruptionBudget for stable in every environment', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const pdb = byName(stack(`inference-${env}`), 'kubernetes_pod_disruption_budget_v1', 'inference-stable');
      expect(pdb.spec.selector.match_labels.track).toBe('stable');
    }
  });

  it('exposes only ports 8080 and 9000 on the Services', () => {
    const services = resources(prod, 'kubernetes_service_v1').filter((s: any) => s.metadata.name.startsWith('inference-'));
    expect(services).toHaveLength(2);
    for (const s of services as any[]) expect(s.spec.port.map((p: { port: number }) => p.port)).toEqual([8080, 9000]);
  });
});

describe('a canary with 0 replicas', () => {
  it('synthesizes and does not wait for a rollout', () => {
    const env = loadEnvironment('staging');
    const app = new App({ outdir: '/nonexistent-not-written' });
    const s = new TerraformStack(app, 'zero-canary');
    new Inference(s, 'inference', {
      namespace: 'inference',
      cloud: env.cloud,
      spec: { ...env.inference, canary: { ...env.inference.canary, replicas: 0 } },
      secrets: { redisUrl: 'x', cacheEncryptionKey: 'x', cacheHmacKey: 'x', jwtPublicKey: 'x' },
      secretRevision: 1,
      modelStoreClaim: 'model-store',
    });
    expect(Testing.synth(s)).toHaveResourceWithProperties('kubernetes_deployment_v1', {
      metadata: { name: 'inference-canary' },
      wait_for_rollout: false,
      spec: { replicas: '0' },
    });
  });
});
