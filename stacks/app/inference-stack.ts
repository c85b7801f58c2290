/**
 * `inference-<env>`: the service and every custom resource (node pools, monitors, rules, Elastic stack, Gateway,
 * routes). `kubernetes_manifest` needs the CRDs at plan time, so this stack depends on `platform-<env>` explicitly.
 */
import { Fn, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Firewall } from '../components/firewall/index.js';
import { InferenceGateway } from '../components/gateway/index.js';
import { GpuNodePools } from '../components/gpu-node-pools/index.js';
import { Inference, inferenceAppName, inferencePodLabels, ports, serviceName } from '../components/inference/index.js';
import { Logging } from '../components/logging/index.js';
import { namespaces } from '../components/namespaces/index.js';
import { ServiceMonitoring } from '../components/observability/service-monitoring.js';
import { Redis, redisPodLabels } from '../components/redis/index.js';
import { blockSsdClassName, ModelStore } from '../components/storage/index.js';
import { jaegerPodLabels, jaegerPorts, otlpEndpoint } from '../components/tracing/index.js';
import { configureBackend } from './backend.js';
import type { PlatformStack } from './platform-stack.js';
import { configureProviders, secretsRevision, secretVariable } from './providers.js';

export interface InferenceStackProps {
  /** The platform stack of the same environment; required, it installs the CRDs this stack's resources need. */
  readonly platform: PlatformStack;
}

export class InferenceStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: InferenceStackProps) {
    super(scope, id);
    if (!props?.platform) throw new Error(`${id}: needs its platform stack (it installs the CRDs); pass { platform }`);
    const env = props.platform.env;
    this.addDependency(props.platform);
    configureBackend(this, env.backend, id);
    configureProviders(this, { defaultContext: env.kubeContext, helm: false });
    const ns = namespaces.inference;
    const revision = secretsRevision(this);

    new GpuNodePools(this, 'gpu-node-pools', { cloud: env.cloud, pools: env.nodePools, nodeClass: env.nodeClass });
    const modelStore = new ModelStore(this, 'model-store', { namespace: ns, size: env.inference.modelStoreSize });

    const redisPassword = secretVariable(this, 'redis_password', 'Password of the result-cache Redis.');
    const redis = new Redis(this, 'redis', {
      namespace: ns,
      password: redisPassword,
      secretRevision: revision,
      clientPodLabels: inferencePodLabels,
      memory: env.redis.memory,
      cpu: env.redis.cpu,
    });

    new Inference(this, 'inference', {
      namespace: ns,
      cloud: env.cloud,
      spec: env.inference,
      secretRevision: revision,
      modelStoreClaim: modelStore.claimName,
      tracing: { otlpEndpoint: otlpEndpoint(namespaces.logging), samplerRatio: env.tracing.samplerRatio, environment: env.name },
      secrets: {
        redisUrl: `redis://:${Fn.urlencode(redisPassword)}@${redis.host}:${redis.port}/0`,
        cacheEncryptionKey: secretVariable(this, 'cache_encryption_key', 'Key encrypting cached results (CACHE_ENCRYPTION_KEY).'),
        cacheHmacKey: secretVariable(this, 'cache_hmac_key', 'Key deriving cache keys (CACHE_HMAC_KEY).'),
        // Required (no default) exactly when the service will read the key file: JWT auth without a JWKS URL.
        // An empty file would pass `plan` and then crash every pod at start.
        jwtPublicKey: secretVariable(
          this,
          'jwt_public_key',
          'PEM public key verifying JWTs when no JWKS URL is set.',
          env.inference.authMode === 'jwt' && !env.inference.jwt.jwksUrl ? undefined : '',
        ),
      },
    });

    new Firewall(this, 'firewall', {
      namespace: ns,
      podLabels: inferencePodLabels,
      gatewayNamespace: namespaces.gateway,
      monitoringNamespace: namespaces.monitoring,
      redis: { podLabels: redisPodLabels, port: redis.port },
      identityProviderCidrs: env.inference.identityProviderCidrs,
      ...(env.inference.grpc.enabled && { grpc: { port: ports.grpc, clientNamespaces: env.inference.grpc.clientNamespaces } }),
      tracing: { namespace: namespaces.logging, podLabels: jaegerPodLabels, port: jaegerPorts.otlpHttp },
    });

    new ServiceMonitoring(this, 'service-monitoring', {
      namespace: ns,
      monitoringNamespace: namespaces.monitoring,
      serviceLabels: inferencePodLabels,
      metricsPortName: 'metrics',
    });

    new Logging(this, 'logging', {
      namespace: namespaces.logging,
      version: env.logging.elasticVersion,
      elasticsearchNodes: env.logging.elasticsearchNodes,
      storage: env.logging.elasticsearchStorage,
      storageClassName: blockSsdClassName,
      retentionDays: env.logging.retentionDays,
      serviceAppName: inferenceAppName,
      operatorNamespace: namespaces.elasticSystem,
    });

    new InferenceGateway(this, 'gateway', {
      implementation: env.gateway,
      gatewayNamespace: namespaces.gateway,
      routeNamespace: ns,
      tls: env.tls,
      stable: { name: serviceName('stable'), port: ports.http },
      canary: { name: serviceName('canary'), port: ports.http },
      canaryWeight: env.canaryWeight,
    });

    new TerraformOutput(this, 'hostnames', { value: env.tls.hostnames });
  }
}
