/**
 * staging: EKS with Karpenter, state in S3, HAProxy Unified Gateway, ACME certificates via Route 53 DNS-01.
 * Mirrors prod in shape (HPA ≥ 2, PDB, JWT) at a smaller size.
 */
import type { EnvironmentConfig } from './schema/types.js';

export const staging: EnvironmentConfig = {
  name: 'staging',
  cloud: 'aws',
  region: 'eu-west-1',
  kubeContext: 'arn:aws:eks:eu-west-1:111122223333:cluster/inference-staging',
  backend: { type: 's3', bucket: 'vertical-inference-tfstate-staging', region: 'eu-west-1', keyPrefix: 'inference/staging' },
  gateway: 'haproxy',
  canaryWeight: 0,
  nodePools: [
    { name: 'a100-80gb', instanceTypes: ['p4de.24xlarge'], minNodes: 0, maxNodes: 2, capacityType: 'on-demand' },
  ],
  nodeClass: { awsNodeRole: 'KarpenterNodeRole-inference-staging', awsDiscoveryTag: 'inference-staging', rootVolumeGiB: 200 },
  inference: {
    imageRepository: 'ghcr.io/vertical-inference/inference',
    stable: { imageDigest: 'sha256:67f831dac998e2b8e948bf0f464ece8724fd204ce3e97e8a3aa22a0c6d885d08', replicas: 2 },
    canary: { imageDigest: 'sha256:8012b50f520846224fca94a5d5bba7ffa765e2515d2ccb74470fa53f1237bb1e', replicas: 1 },
    autoscaling: { minReplicas: 2, maxReplicas: 4, queueDepthTarget: 32, cpuUtilizationPercent: 70,
      // The demo LLM's continuous batch: scale before the KV cache fills (policies/slo.ts ITL objective).
      generation: { activeSequencesTarget: 24, kvCacheUsageTarget: 0.8 },
    },
    resources: { cpu: '8', memory: '32Gi', gpus: 1 },
    shutdownTimeoutSeconds: 20,
    logLevel: 'info',
    generativeModel: 'demo-llm',
    // One GPU per pod runs one worker: a wide continuous batch, larger prefill chunks than the CPU default, and a
    // short queue so a full pod answers 429 (and the HPA adds pods) instead of holding requests past the TTFT SLO.
    // kvCacheTokens stays sized from the model; set it from the GPU memory the model leaves free.
    generation: { maxSequences: 128, prefillChunkTokens: 256, maxQueue: 64 },
    authMode: 'jwt',
    // Staging verifies with a public key mounted from a Secret (no JWKS egress needed); prod uses JWKS.
    jwt: { issuer: 'https://auth.staging.inference.example.com/', audience: 'inference-staging' },
    identityProviderCidrs: [],
    modelStoreSize: '1200Gi',

    grpc: { enabled: false, clientNamespaces: [] },
  },
  redis: { memory: '1Gi', cpu: '500m' },
  logging: { elasticVersion: '9.4.3', elasticsearchNodes: 3, elasticsearchStorage: '200Gi', retentionDays: 7 },
  monitoring: { prometheusStorage: '100Gi', retention: '7d' },
  tracing: { samplerRatio: 0.25, jaegerReplicas: 2, indexReplicas: 1 },
  modelStoreNetwork: { subnetId: 'subnet-0a1b2c3d4e5f60718', securityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
  tls: {
    hostnames: ['inference.staging.example.com'],
    certManagerServiceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/cert-manager-route53-staging' },
    issuer: {
      type: 'acme',
      email: 'platform@example.com',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      dns01: { provider: 'route53', region: 'eu-west-1', hostedZoneId: 'Z0123456789STAGING' },
    },
  },
};
