/**
 * Validation of environment data, run once at load. Every problem is collected and reported together, each with
 * the field path and what to do about it, so a reviewer of an environment pull request sees all of them at once.
 */
import { findInstanceType, gpus, instanceTypes, minGpuMemoryGiB } from '../../../policies/catalog/gpus.js';
import { firstCanaryStep } from '../../../policies/slo.js';
import { settings } from '../../../services/inference/src/config.js';
import { streamCapacityWarning } from '../../../services/inference/src/generation/capacity.js';
import { defaultMaxInflight } from '../../../services/inference/src/limits/config.js';
import { dnsLabelProblem } from '../../lib/names.js';
import { quantityBytes, tebibyte } from '../../lib/quantity.js';
import type { EnvironmentConfig } from './types.js';

const digest = /^sha256:[a-f0-9]{64}$/;
const exactVersion = /^v?\d+\.\d+\.\d+$/;

function gpuPoolProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  if (env.nodePools.length === 0) problems.push('nodePools: declare at least one GPU pool');
  const eligible = instanceTypes
    .filter((t) => t.cloud === env.cloud && (gpus[t.gpu]?.memoryGiB ?? 0) >= minGpuMemoryGiB)
    .map((t) => t.name);
  env.nodePools.forEach((pool, i) => {
    const at = `nodePools[${i}]`;
    const nameProblem = dnsLabelProblem(pool.name);
    if (nameProblem) problems.push(`${at}.name "${pool.name}" ${nameProblem}`);
    if (pool.instanceTypes.length === 0) problems.push(`${at}.instanceTypes: list at least one of ${eligible.join(', ')}`);
    pool.instanceTypes.forEach((name, j) => {
      const type = findInstanceType(env.cloud, name);
      const gpu = type ? gpus[type.gpu] : undefined;
      if (!type || !gpu) {
        problems.push(`${at}.instanceTypes[${j}] "${name}" is not a known ${env.cloud} GPU type in policies/catalog/gpus.ts`);
      } else if (gpu.memoryGiB < minGpuMemoryGiB) {
        problems.push(
          `${at}.instanceTypes[${j}] "${name}" carries ${gpu.displayName} with ${gpu.memoryGiB} GB; pools need ≥ ${minGpuMemoryGiB} GB per GPU — use one of ${eligible.join(', ')}`,
        );
      }
    });
    if (pool.minNodes < 0 || pool.maxNodes < 1 || pool.minNodes > pool.maxNodes) {
      problems.push(`${at}: need 0 ≤ minNodes ≤ maxNodes and maxNodes ≥ 1, got ${pool.minNodes}..${pool.maxNodes}`);
    }
  });
  return problems;
}

function inferenceProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const inf = env.inference;
  for (const track of ['stable', 'canary'] as const) {
    if (!digest.test(inf[track].imageDigest)) {
      problems.push(`inference.${track}.imageDigest "${inf[track].imageDigest}" must be "sha256:" followed by 64 hex digits`);
    }
    if (!Number.isInteger(inf[track].replicas) || inf[track].replicas < 0) {
      problems.push(`inference.${track}.replicas must be a non-negative integer`);
    }
  }
  if (/[:@]/.test(inf.imageRepository.split('/').pop() ?? '')) {
    problems.push(`inference.imageRepository "${inf.imageRepository}" must not carry a tag or digest; set imageDigest`);
  }
  const { minReplicas, maxReplicas } = inf.autoscaling;
  if (minReplicas > maxReplicas) problems.push(`inference.autoscaling: minReplicas ${minReplicas} > maxReplicas ${maxReplicas}`);
  if (env.name !== 'dev' && minReplicas < 2) {
    problems.push(`inference.autoscaling.minReplicas is ${minReplicas}; outside dev keep at least 2 so one pod can be drained`);
  }
  if (inf.generativeModel !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(inf.generativeModel)) {
    problems.push(`inference.generativeModel "${inf.generativeModel}" is not a model folder name (letters, digits, '.', '_', '-')`);
  }
  for (const [field, value] of Object.entries(inf.generation ?? {})) {
    // kvCacheTokens 0 means "sized from the model" in the service; every other setting is a count ≥ 1.
    const min = field === 'kvCacheTokens' || field === 'maxQueue' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) problems.push(`inference.generation.${field} must be an integer ≥ ${min}, got ${value}`);
  }
  // The pods run one worker per GPU (components/inference/config.ts); streams hold an admission slot until they end.
  const capacity = streamCapacityWarning(
    {
      generateMaxSequences: inf.generation?.maxSequences ?? settings.generateMaxSequences.fallback,
      generateMaxQueue: inf.generation?.maxQueue ?? settings.generateMaxQueue.fallback,
      workerThreads: inf.resources.gpus,
    },
    defaultMaxInflight,
  );
  if (inf.generativeModel !== undefined && capacity) problems.push(`inference.generation: ${capacity}`);
  const generation = inf.autoscaling.generation;
  if (generation) {
    if (!Number.isInteger(generation.activeSequencesTarget) || generation.activeSequencesTarget < 1) {
      problems.push(`inference.autoscaling.generation.activeSequencesTarget must be an integer ≥ 1, got ${generation.activeSequencesTarget}`);
    }
    if (!(generation.kvCacheUsageTarget > 0 && generation.kvCacheUsageTarget <= 1)) {
      problems.push(`inference.autoscaling.generation.kvCacheUsageTarget is a fraction in (0, 1], got ${generation.kvCacheUsageTarget}`);
    }
  }
  if (!Number.isInteger(inf.resources.gpus) || inf.resources.gpus < 1) problems.push('inference.resources.gpus must be an integer ≥ 1');
  if (inf.shutdownTimeoutSeconds <= 0) problems.push('inference.shutdownTimeoutSeconds must be positive');
  if (inf.authMode === 'none' && env.name !== 'dev') problems.push('inference.authMode "none" is only allowed in dev');
  if (inf.grpc.enabled && inf.grpc.clientNamespaces.length === 0) {
    problems.push('inference.grpc.clientNamespaces is empty: name the namespaces whose pods call gRPC, or set enabled false');
  }
  if (!inf.grpc.enabled && inf.grpc.clientNamespaces.length > 0) {
    problems.push(`inference.grpc.clientNamespaces lists ${inf.grpc.clientNamespaces.join(', ')} but gRPC is not enabled`);
  }
  try {
    if (quantityBytes(inf.modelStoreSize) < tebibyte) {
      problems.push(`inference.modelStoreSize ${inf.modelStoreSize} is below the 1Ti model store minimum`);
    }
  } catch (error) {
    problems.push(`inference.modelStoreSize: ${(error as Error).message}`);
  }
  return problems;
}

function otherProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(env.canaryWeight) || env.canaryWeight < 0 || env.canaryWeight > firstCanaryStep) {
    problems.push(`canaryWeight ${env.canaryWeight} must be an integer from 0 to ${firstCanaryStep} (first canary step, policies/slo.ts); later steps are the rollout driver's job`);
  }
  if (env.canaryWeight > 0 && env.inference.canary.replicas === 0) {
    // Gateway API answers the share of a backend without endpoints with HTTP 500 (HTTPRoute backendRefs spec).
    problems.push(`canaryWeight ${env.canaryWeight} with inference.canary.replicas 0 would fail ${env.canaryWeight} % of requests; set canaryWeight to 0 while no canary runs`);
  }
  if (env.tls.hostnames.length === 0) problems.push('tls.hostnames: list at least one hostname');
  if (env.backend.type === 'local' && env.name !== 'dev') problems.push('backend: the local backend is for dev only; use s3 or gcs');
  if (env.cloud === 'aws' && (!env.nodeClass.awsNodeRole || !env.nodeClass.awsDiscoveryTag)) {
    problems.push('nodeClass: aws needs awsNodeRole and awsDiscoveryTag for the Karpenter EC2NodeClass');
  }
  if (env.cloud === 'aws' && !env.modelStoreNetwork) {
    problems.push('modelStoreNetwork: aws needs subnetId and securityGroupIds for the FSx for Lustre model store');
  }
  for (const [chart, version] of Object.entries(env.charts ?? {})) {
    if (version !== undefined && !exactVersion.test(version)) {
      problems.push(`charts.${chart} "${version}" must be an exact version like 1.2.3, not a range`);
    }
  }
  if (env.logging.retentionDays < 1) problems.push('logging.retentionDays must be ≥ 1');
  return [...problems, ...tracingProblems(env)];
}

function tracingProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const { samplerRatio, jaegerReplicas, indexReplicas } = env.tracing;
  if (!(samplerRatio >= 0 && samplerRatio <= 1)) problems.push(`tracing.samplerRatio ${samplerRatio} must be between 0 and 1 (the share of new traces recorded)`);
  if (!Number.isInteger(jaegerReplicas) || jaegerReplicas < 1) problems.push(`tracing.jaegerReplicas must be an integer ≥ 1, got ${jaegerReplicas}`);
  if (env.name !== 'dev' && jaegerReplicas < 2) problems.push(`tracing.jaegerReplicas is ${jaegerReplicas}; outside dev keep at least 2 so spans are received through a Jaeger rollout`);
  if (!Number.isInteger(indexReplicas) || indexReplicas < 0 || indexReplicas >= Math.max(1, env.logging.elasticsearchNodes)) {
    problems.push(`tracing.indexReplicas ${indexReplicas} must be an integer from 0 to logging.elasticsearchNodes − 1 (${env.logging.elasticsearchNodes - 1}); more replicas than nodes leave the indices yellow`);
  }
  return problems;
}

/** Returns the environment when valid; throws one error listing every problem otherwise. */
export function validateEnvironment(env: EnvironmentConfig): EnvironmentConfig {
  const problems = [...gpuPoolProblems(env), ...inferenceProblems(env), ...otherProblems(env)];
  if (problems.length > 0) {
    throw new Error(`environment "${env.name}" is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}
