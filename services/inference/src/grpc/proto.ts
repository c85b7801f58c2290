/**
 * The KServe V2 gRPC contract (proto/grpc_predict_v2.proto, the official file unmodified; proto/README.md says
 * where it comes from) loaded at run time with @grpc/proto-loader, so there is no generated code to keep in step.
 */
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

export const protoFile = fileURLToPath(new URL('../../proto/grpc_predict_v2.proto', import.meta.url));

/**
 * keepCase: the proto's snake_case names, as the REST JSON uses them. longs as strings: int64 shapes and contents
 * arrive exact (converted, and range-checked, in to-rest.ts). defaults + arrays: absent fields read as '' / [].
 * oneofs: an InferParameter says which of its fields is set (`parameter_choice`).
 */
export const loaderOptions: Options = { keepCase: true, longs: String, enums: String, defaults: true, arrays: true, oneofs: true };

/** The full service name, as it appears in gRPC paths (`/inference.GRPCInferenceService/ModelInfer`). */
export const serviceName = 'inference.GRPCInferenceService';

function load(): ServiceClientConstructor {
  const pkg = loadPackageDefinition(loadSync(protoFile, loaderOptions));
  return (pkg.inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor;
}

let cached: ServiceClientConstructor | undefined;

/** The generated client constructor (tests and the example script use it), built once. */
export function inferenceServiceClient(): ServiceClientConstructor {
  cached ??= load();
  return cached;
}

/** The service definition the server registers its handlers against. */
export function inferenceServiceDefinition(): ServiceDefinition {
  return inferenceServiceClient().service;
}
