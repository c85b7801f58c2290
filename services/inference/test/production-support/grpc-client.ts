/** A real grpc-js client for inference.GRPCInferenceService, from the committed proto, with promise-returning calls. */
import { credentials as channelCredentials, Metadata, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { inferenceServiceClient } from '../../src/grpc/proto.js';

export type Rpc = 'ServerLive' | 'ServerReady' | 'ModelReady' | 'ServerMetadata' | 'ModelMetadata' | 'ModelInfer';

export interface GrpcAnswer<T> {
  readonly message: T;
  /** Initial metadata (x-request-id, x-inference-cache). */
  readonly metadata: Metadata;
}

export interface TestGrpcClient {
  call<T = Record<string, unknown>>(rpc: Rpc, request: object, metadata?: Record<string, string>): Promise<GrpcAnswer<T>>;
  /** The error a call fails with (the test fails if it succeeds). */
  fail(rpc: Rpc, request: object, metadata?: Record<string, string>): Promise<ServiceError>;
  close(): void;
}

export function grpcClient(address: string, credentials: ChannelCredentials = channelCredentials.createInsecure(), options: object = {}): TestGrpcClient {
  const Constructor = inferenceServiceClient();
  const client = new Constructor(address, credentials, options) as Client & Record<string, Function>;
  const call = <T>(rpc: Rpc, request: object, extra: Record<string, string> = {}): Promise<GrpcAnswer<T>> =>
    new Promise((resolve, reject) => {
      const metadata = new Metadata();
      for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
      let initial = new Metadata();
      const pending = (client[rpc] as Function).call(client, request, metadata, { deadline: Date.now() + 30_000 }, (error: ServiceError | null, message: T) =>
        error ? reject(error) : resolve({ message, metadata: initial }),
      ) as { on(event: 'metadata', listener: (m: Metadata) => void): void };
      pending.on('metadata', (m) => (initial = m));
    });
  return {
    call,
    fail: async (rpc, request, metadata) => {
      const outcome = await call(rpc, request, metadata).then(
        (answer) => ({ answer }),
        (error: ServiceError) => ({ error }),
      );
      if ('answer' in outcome) throw new Error(`${rpc} succeeded: ${JSON.stringify(outcome.answer.message)}`);
      return outcome.error;
    },
    close: () => client.close(),
  };
}
