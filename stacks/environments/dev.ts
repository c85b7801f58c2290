/**
 * dev: one small GKE GPU pool, local Terraform state, NGINX Gateway Fabric, self-signed TLS, no auth.
 * Image digests are replaced by the release pipeline (pipelines/) on every build.
 */
import type { EnvironmentConfig } from './schema/types.js';

export const dev: EnvironmentConfig = {
  name: 'dev',
  cloud: 'gcp',
  region: 'europe-west4',
  kubeContext: 'gke_blueprint-dev_europe-west4_inference-dev',
  backend: { type: 'local' },
  gateway: 'nginx',
  // dev keeps a standing 80/20 split to show the canary path; staging and prod rest at 0 (docs/pipelines.md).
  canaryWeight: 20,
  nodePools: [{ name: 'a100-80gb', instanceTypes: ['a2-ultragpu-1g'], minNodes: 0, maxNodes: 2, capacityType: 'spot' }],
  nodeClass: { rootVolumeGiB: 200 },
  inference: {
    imageRepository: 'ghcr.io/vertical-inference/inference',
    stable: { imageDigest: 'sha256:67f831dac998e2b8e948bf0f464ece8724fd204ce3e97e8a3aa22a0c6d885d08', replicas: 1 },
    canary: { imageDigest: 'sha256:8012b50f520846224fca94a5d5bba7ffa765e2515d2ccb74470fa53f1237bb1e', replicas: 1 },
    autoscaling: { minReplicas: 1, maxReplicas: 2, queueDepthTarget: 32, cpuUtilizationPercent: 70 },
    resources: { cpu: '4', memory: '16Gi', gpus: 1 },
    shutdownTimeoutSeconds: 20,
    logLevel: 'debug',
    authMode: 'none',
    jwt: { issuer: 'https://auth.dev.inference.example.com/', audience: 'inference-dev' },
    identityProviderCidrs: [],
    modelStoreSize: '1Ti',
    // dev tries the gRPC API: pods in ml-clients (notebooks, batch jobs) call it on 8081.
    grpc: { enabled: true, clientNamespaces: ['ml-clients'] },
  },
  redis: { memory: '512Mi', cpu: '250m' },
  logging: { elasticVersion: '9.4.3', elasticsearchNodes: 1, elasticsearchStorage: '100Gi', retentionDays: 3 },
  monitoring: { prometheusStorage: '50Gi', retention: '3d' },
  // Every request traced: dev traffic is small and a trace is what one debugs with.
  tracing: { samplerRatio: 1, jaegerReplicas: 1, indexReplicas: 0 },
  tls: { hostnames: ['inference.dev.example.com'], issuer: { type: 'selfSigned' } },
};
