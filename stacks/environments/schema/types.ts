/**
 * The shape of an environment: everything that differs between dev, staging and prod, as data.
 *
 * A pull request that changes an environment edits one of stacks/environments/{dev,staging,prod}.ts and nothing
 * else; `loadEnvironment` validates it (./validate.ts) before any construct sees it. Component defaults (pinned
 * chart versions, probe timings) live with each component; the `charts` block here only overrides them.
 */
import type { Cloud } from '../../../policies/catalog/gpus.js';

export type EnvironmentName = 'dev' | 'staging' | 'prod';
export type GatewayImplementation = 'nginx' | 'haproxy';

/** Where Terraform keeps the state of both stacks of the environment. */
export type BackendConfig =
  | { readonly type: 'local' }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly region: string;
      /** Key prefix; each stack writes `<keyPrefix>/<stack>.tfstate`. */
      readonly keyPrefix: string;
    }
  | { readonly type: 'gcs'; readonly bucket: string; readonly prefix: string };

/** One GPU node pool, declared as data (ai-on-gke style). */
export interface GpuNodePoolSpec {
  /** Pool name; becomes the NodePool / ComputeClass name and the `blueprint.dev/gpu-pool` node label. */
  readonly name: string;
  /** Instance types / VM sizes / machine types, each must be in policies/catalog/gpus.ts with ≥ 80 GB per GPU. */
  readonly instanceTypes: readonly string[];
  readonly minNodes: number;
  readonly maxNodes: number;
  /** Karpenter capacity type; GKE ComputeClass maps `spot` to `spot: true`. */
  readonly capacityType: 'on-demand' | 'spot';
  /** Extra node labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Cloud-specific settings Karpenter / NAP need to launch nodes; absent on GKE. */
export interface NodeClassSpec {
  /** AWS: IAM role name of the nodes; Karpenter discovers subnets and security groups by the discovery tag. */
  readonly awsNodeRole?: string;
  /** AWS: value of the `karpenter.sh/discovery` tag on the cluster's subnets and security groups. */
  readonly awsDiscoveryTag?: string;
  /** Root volume size in GiB (container images of GPU stacks are large). */
  readonly rootVolumeGiB: number;
}

/** One version of the service (stable or canary). */
export interface TrackSpec {
  /** Image digest `sha256:<64 hex>`; the repository is `inference.imageRepository`. */
  readonly imageDigest: string;
  /** Replicas; the canary may have 0 (then canaryWeight must be 0). For stable the HPA owns the count once created. */
  readonly replicas: number;
}

/** Scheduler settings of generative models, per worker thread and model version. */
export interface GenerationSettings {
  /** GENERATE_MAX_SEQUENCES: sequences one continuous batch runs at once. */
  readonly maxSequences?: number;
  /** GENERATE_KV_CACHE_TOKENS: KV-cache token budget; size it to the GPU memory the model leaves free. */
  readonly kvCacheTokens?: number;
  /** GENERATE_PREFILL_CHUNK_TOKENS: prompt tokens prefilled per decode iteration at most (bounds the ITL stall). */
  readonly prefillChunkTokens?: number;
  /** GENERATE_MAX_QUEUE: requests waiting for KV-cache room before 429. */
  readonly maxQueue?: number;
}

/** HPA targets of a generative model, per pod, served by prometheus-adapter. */
export interface GenerationAutoscaling {
  /** Target average of `inference_generate_active_sequences` per pod. */
  readonly activeSequencesTarget: number;
  /** Target average KV-cache use per pod, a fraction in (0, 1], e.g. 0.8. */
  readonly kvCacheUsageTarget: number;
}

export interface InferenceSpec {
  /** Registry and repository without tag or digest, e.g. `ghcr.io/acme/inference`. */
  readonly imageRepository: string;
  readonly stable: TrackSpec;
  readonly canary: TrackSpec;
  /** Stable HPA bounds; minReplicas ≥ 2 outside dev (policy). */
  readonly autoscaling: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Target average queue depth per pod (custom metric through prometheus-adapter). */
    readonly queueDepthTarget: number;
    /** CPU utilization target in percent, the fallback when the custom metric is missing. */
    readonly cpuUtilizationPercent: number;
    /**
     * For a generative model: scale on the continuous batch as well. Queue depth barely moves while sequences
     * stream; the batch's occupancy and its KV cache are what fill up. Absent: the HPA ignores generation.
     */
    readonly generation?: GenerationAutoscaling;
  };
  readonly resources: {
    readonly cpu: string;
    readonly memory: string;
    /** `nvidia.com/gpu` per pod. */
    readonly gpus: number;
  };
  /** Service's drain bound (SHUTDOWN_TIMEOUT_SECONDS); the grace period is set above it. */
  readonly shutdownTimeoutSeconds: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The generative model of the model store the gates stream to (k6 05-generate-stream, the canary gate's TTFT
   * checks); absent when the environment serves no generative model.
   */
  readonly generativeModel?: string;
  /** The continuous-batching scheduler (GENERATE_* settings, docs/configuration.md); absent fields keep the service defaults. */
  readonly generation?: GenerationSettings;
  readonly authMode: 'jwt' | 'none';
  /** JWT verification settings (the key material comes from a Secret, not from here). */
  readonly jwt: { readonly issuer: string; readonly audience: string; readonly jwksUrl?: string };
  /** CIDRs of the identity provider, for the JWKS egress rule; empty = no egress to it. */
  readonly identityProviderCidrs: readonly string[];
  /** Model store PVC size (≥ 1 TiB by policy). */
  readonly modelStoreSize: string;
  /** The KServe V2 gRPC API (GRPC_ENABLED, port 8081): opt-in per environment (docs/adr/0004-grpc-api.md). */
  readonly grpc: GrpcSpec;
}

export interface GrpcSpec {
  /** Serve gRPC on 8081: container port, Service port and a NetworkPolicy ingress rule follow. */
  readonly enabled: boolean;
  /**
   * Namespaces whose pods may call gRPC (east-west, to the Service of the stable track: the gateway routes REST
   * only). Must name at least one namespace when enabled, and none when not.
   */
  readonly clientNamespaces: readonly string[];
}

export interface TlsSpec {
  /** Hostnames the Gateway serves; the certificate covers all of them. */
  readonly hostnames: readonly string[];
  /**
   * Annotations on cert-manager's service account granting DNS-01 rights through workload identity
   * (e.g. `eks.amazonaws.com/role-arn`); no cloud credentials are stored in the cluster.
   */
  readonly certManagerServiceAccountAnnotations?: Readonly<Record<string, string>>;
  /** `selfSigned` for dev; ACME with a DNS-01 solver elsewhere (no plain-HTTP listener needed). */
  readonly issuer:
    | { readonly type: 'selfSigned' }
    | {
        readonly type: 'acme';
        readonly email: string;
        readonly server: string;
        readonly dns01:
          | { readonly provider: 'route53'; readonly region: string; readonly hostedZoneId: string }
          | { readonly provider: 'cloudDNS'; readonly project: string }
          | { readonly provider: 'azureDNS'; readonly subscriptionId: string; readonly resourceGroupName: string; readonly hostedZoneName: string };
      };
}

/** Optional per-environment chart overrides; each component pins its own default. */
export interface TracingSpec {
  /** Share of new traces the service records (OTEL_TRACES_SAMPLER_ARG of parentbased_traceidratio), 0..1; a caller's sampled traceparent is always followed. */
  readonly samplerRatio: number;
  /** Jaeger replicas (stateless; ≥ 2 outside dev keeps the collector up through a rollout). */
  readonly jaegerReplicas: number;
  /** Replica shards of the daily trace indices: 0 on a single-node Elasticsearch. */
  readonly indexReplicas: number;
}

export interface ChartOverrides {
  readonly kubePrometheusStack?: string;
  readonly prometheusAdapter?: string;
  readonly gpuOperator?: string;
  readonly eckOperator?: string;
  readonly certManager?: string;
  readonly gatewayApiCrds?: string;
  readonly nginxGatewayFabric?: string;
  readonly haproxyUnifiedGateway?: string;
  /** jaegertracing `jaeger` chart (components/tracing). */
  readonly jaeger?: string;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  readonly cloud: Cloud;
  readonly region: string;
  /** Default kubeconfig context; the `kube_context` variable overrides it at plan time. */
  readonly kubeContext: string;
  readonly backend: BackendConfig;
  readonly gateway: GatewayImplementation;
  /** Percent of unpinned traffic the HTTPRoute sends to the canary (≤ the first canary step, policies/slo.ts). */
  readonly canaryWeight: number;
  readonly nodePools: readonly GpuNodePoolSpec[];
  readonly nodeClass: NodeClassSpec;
  readonly inference: InferenceSpec;
  readonly redis: { readonly memory: string; readonly cpu: string };
  readonly logging: {
    readonly elasticVersion: string;
    readonly elasticsearchNodes: number;
    readonly elasticsearchStorage: string;
    readonly retentionDays: number;
  };
  readonly monitoring: { readonly prometheusStorage: string; readonly retention: string };
  /** Request tracing (components/tracing, services/inference/src/tracing). */
  readonly tracing: TracingSpec;
  /** AWS only: where FSx for Lustre puts the model store file system (subnet and security groups of the cluster). */
  readonly modelStoreNetwork?: { readonly subnetId: string; readonly securityGroupIds: readonly string[] };
  readonly tls: TlsSpec;
  readonly charts?: ChartOverrides;
}
