/**
 * prod: EKS with Karpenter (A100 80GB and H100 pools), state in S3, HAProxy Unified Gateway.
 * canaryWeight is what `cdktf deploy` applies to the HTTPRoute: 0 at rest. During a release the rollout driver moves
 * the live route (docs/pipelines.md) and the release-record pull request brings this file back to what runs.
 * kubeContext is the EKS ARN for humans running the CLIs; put your own account id here.
 */
import type { EnvironmentConfig } from './schema/types.js';

export const prod: EnvironmentConfig = {
  name: 'prod',
  cloud: 'aws',
  region: 'eu-west-1',
  kubeContext: 'arn:aws:eks:eu-west-1:444455556666:cluster/inference-prod',
  backend: { type: 's3', bucket: 'vertical-inference-tfstate-prod', region: 'eu-west-1', keyPrefix: 'inference/prod' },
  gateway: 'haproxy',
  canaryWeight: 0,
  nodePools: [
    { name: 'h100', instanceTypes: ['p5.48xlarge'], minNodes: 1, maxNodes: 4, capacityType: 'on-demand' },
    { name: 'a100-80gb', instanceTypes: ['p4de.24xlarge'], minNodes: 0, maxNodes: 4, capacityType: 'on-demand' },
  ],
  nodeClass: { awsNodeRole: 'KarpenterNodeRole-inference-prod', awsDiscoveryTag: 'inference-prod', rootVolumeGiB: 300 },
  inference: {
    imageRepository: 'ghcr.io/vertical-inference/inference',
    stable: { imageDigest: 'sha256:67f831dac998e2b8e948bf0f464ece8724fd204ce3e97e8a3aa22a0c6d885d08', replicas: 3 },
    canary: { imageDigest: 'sha256:8012b50f520846224fca94a5d5bba7ffa765e2515d2ccb74470fa53f1237bb1e', replicas: 1 },
    autoscaling: { minReplicas: 3, maxReplicas: 16, queueDepthTarget: 32, cpuUtilizationPercent: 70,
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
    jwt: {
      issuer: 'https://auth.inference.example.com/',
      audience: 'inference',
      jwksUrl: 'https://auth.inference.example.com/.well-known/jwks.json',
    },
    identityProviderCidrs: ['203.0.113.0/24'],
    modelStoreSize: '2400Gi',

    grpc: { enabled: false, clientNamespaces: [] },
  },
  redis: { memory: '2Gi', cpu: '1' },
  logging: { elasticVersion: '9.4.3', elasticsearchNodes: 3, elasticsearchStorage: '500Gi', retentionDays: 30 },
  monitoring: { prometheusStorage: '200Gi', retention: '15d' },
  // One request in twenty gets a new trace (at thousands of req/s that is plenty); callers that sample are followed.
  tracing: { samplerRatio: 0.05, jaegerReplicas: 2, indexReplicas: 1 },
  modelStoreNetwork: { subnetId: 'subnet-0f1e2d3c4b5a69788', securityGroupIds: ['sg-0f1e2d3c4b5a69788'] },
  tls: {
    hostnames: ['inference.example.com'],
    certManagerServiceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::444455556666:role/cert-manager-route53-prod' },
    issuer: {
      type: 'acme',
      email: 'platform@example.com',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      dns01: { provider: 'route53', region: 'eu-west-1', hostedZoneId: 'Z0123456789PROD' },
    },
  },
};
