import { describe, expect, it } from 'vitest';
import { byName, stack } from '../../test/synth.js';

const s = stack('inference-prod');
const deployment = byName(s, 'kubernetes_deployment_v1', 'redis');
const container = deployment.spec.template.spec.container[0];

describe('redis', () => {
  it('runs the official image pinned by digest', () => {
    expect(container.image).toMatch(/^docker\.io\/library\/redis:8-alpine@sha256:[a-f0-9]{64}$/);
  });

  it('has persistence off, auth from a Secret, and an LRU cap below the memory limit', () => {
    expect(container.args.slice(0, 4)).toEqual(['--save', '', '--appendonly', 'no']);
    expect(container.args).toContain('$(REDIS_PASSWORD)');
    expect(container.env[0].value_from.secret_key_ref).toEqual({ name: 'redis-auth', key: 'password' });
    const maxmemory = Number(container.args[container.args.indexOf('--maxmemory') + 1]);
    expect(container.resources.limits.memory).toBe('2Gi');
    expect(maxmemory).toBe(1.5 * 2 ** 30);
  });

  it('keeps the password out of Terraform state (write-only Secret data)', () => {
    const secret = byName(s, 'kubernetes_secret_v1', 'redis-auth');
    expect(secret.data_wo).toEqual({ password: '${var.redis_password}' });
    expect(secret).not.toHaveProperty('data');
  });

  it('has requests equal to limits, probes, and a restricted non-root security context', () => {
    expect(container.resources.requests).toEqual(container.resources.limits);
    expect(container.readiness_probe.exec.command).toEqual(['redis-cli', 'ping']);
    expect(container.liveness_probe.tcp_socket).toEqual([{ port: 'redis' }]);
    expect(container.security_context).toMatchObject({ run_as_non_root: true, run_as_user: '999', read_only_root_filesystem: true });
    expect(deployment.spec.template.spec.automount_service_account_token).toBe(false);
  });

  it('accepts connections only from the inference pods, and makes none', () => {
    const policy = byName(s, 'kubernetes_network_policy_v1', 'redis');
    expect(policy.spec.policy_types).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'inference', 'app.kubernetes.io/part-of': 'vertical-inference' } } }],
        ports: [{ port: '6379', protocol: 'TCP' }],
      },
    ]);
    expect(policy.spec).not.toHaveProperty('egress');
  });

  it('is handed to the service as REDIS_URL with the URL-encoded password', () => {
    const secret = byName(s, 'kubernetes_secret_v1', 'inference-env');
    expect(secret.data_wo['redis-url']).toBe('redis://:${urlencode(var.redis_password)}@redis.inference.svc.cluster.local:6379/0');
  });
});
