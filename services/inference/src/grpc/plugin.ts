/**
 * The gRPC listener (GRPC_ENABLED=true): KServe V2 `inference.GRPCInferenceService` on GRPC_PORT, TLS when
 * TLS_CERT_FILE/TLS_KEY_FILE are set (the same certificate as HTTPS, re-read when it changes), every call through
 * the REST pipeline (bridge.ts).
 *
 * Registered by app.ts before the routes (its content-type parser must be inherited by them). `fastify.grpc.listen()`
 * binds the port after `fastify.listen` (server.ts): a port that cannot be bound stops the start with an error. Closing
 * the app (the SIGTERM drain, src/shutdown) shuts gRPC down first, gracefully: by then the drain gate has answered new
 * calls UNAVAILABLE and the ones in flight have finished; tryShutdown lets any straggler finish and then closes.
 */
import { Server, ServerCredentials, experimental } from '@grpc/grpc-js';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { AdmissionGate } from '../limits/admission-gate.js';
import type { InferenceMetrics } from '../metrics/instruments.js';
import { InferenceError } from '../protocol/errors.js';
import { readTlsMaterial, type TlsFiles } from '../tls/options.js';
import { GrpcBridge, grpcBodyType } from './bridge.js';
import { inferenceServiceDefinition } from './proto.js';
import { grpcInferenceService } from './service.js';
import { toRestInfer } from './to-rest.js';

export interface GrpcPluginOptions {
  /** HOST. */
  readonly host: string;
  /** GRPC_PORT; 0 picks a free port (tests). */
  readonly port: number;
  /** TLS_CERT_FILE / TLS_KEY_FILE: serve TLS with them. */
  readonly tls?: TlsFiles;
  /** Largest message accepted (BODY_LIMIT_BYTES); larger gets RESOURCE_EXHAUSTED from grpc-js. */
  readonly maxMessageBytes: number;
  /** Production layer: the shared in-flight cap and the metrics. */
  readonly gate?: AdmissionGate;
  readonly metrics?: InferenceMetrics;
}

export interface GrpcListener {
  /** Binds GRPC_PORT and starts serving; resolves to the bound port. */
  listen(): Promise<number>;
  /** The bound port (after listen). */
  readonly port: number | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Present when GRPC_ENABLED=true. */
    readonly grpc?: GrpcListener;
  }
  interface FastifyRequest {
    /** The RPC a request stands for when it came in over gRPC (audit record). */
    grpcMethod?: string;
  }
}

const grpcPlugin: FastifyPluginAsync<GrpcPluginOptions> = async (app, opts) => {
  const bridge = new GrpcBridge(app);
  const maxElements = app.serviceConfig.maxTensorElements;

  // Where the REST route parses its JSON body: after onRequest (drain, auth, rate limit), before the limits and cache.
  app.addContentTypeParser(grpcBodyType, (request, _payload, done) => {
    const message = bridge.callOf(request)?.message;
    if (message === undefined) return done(new InferenceError(415, 'content-type must be application/json'), undefined);
    try {
      done(null, toRestInfer(message, maxElements).body);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRequest', (request, _reply, done) => {
    const call = bridge.callOf(request);
    if (call !== undefined) request.grpcMethod = call.method;
    done();
  });

  const server = new Server({ 'grpc.max_receive_message_length': opts.maxMessageBytes, 'grpc.max_send_message_length': -1 });
  server.addService(inferenceServiceDefinition(), grpcInferenceService({ bridge, log: app.log, gate: opts.gate, requests: opts.metrics?.grpcRequests }));

  let port: number | undefined;
  let stopWatching = (): void => {};
  /**
   * TLS through grpc-js's file-watching certificate provider: the files are re-read every 10 s, so a renewed
   * certificate (cert-manager rewriting the Secret) is served without a restart, as the HTTPS listener does
   * (src/tls). Its first read is asynchronous: wait for it, or the first handshakes would find no certificate.
   */
  const credentials = async (): Promise<ServerCredentials> => {
    if (!opts.tls) return ServerCredentials.createInsecure();
    readTlsMaterial(opts.tls); // a ConfigError naming the variable now, rather than failed handshakes later
    const provider = new experimental.FileWatcherCertificateProvider({
      certificateFile: opts.tls.certFile,
      privateKeyFile: opts.tls.keyFile,
      refreshIntervalMs: 10_000,
    });
    await new Promise<void>((resolve) => {
      const first = (update: unknown): void => {
        if (update) resolve();
      };
      provider.addIdentityCertificateListener(first);
      stopWatching = () => provider.removeIdentityCertificateListener(first);
    });
    return experimental.createCertificateProviderServerCredentials(provider, null, false);
  };

  app.decorate('grpc', {
    get port() {
      return port;
    },
    listen: async () => {
      const address = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
      const creds = await credentials();
      const bound = await new Promise<number>((resolve, reject) =>
        server.bindAsync(address, creds, (error, p) => (error ? reject(new Error(`gRPC: cannot listen on ${address} (GRPC_PORT): ${error.message}; is the port in use (PORT, METRICS_PORT, another process)?`)) : resolve(p))),
      );
      port = bound;
      app.log.info({ grpc: { port: bound } }, `gRPC (inference.GRPCInferenceService) on ${opts.host}:${bound}${opts.tls ? ' with TLS' : ''}`);
      return bound;
    },
  } satisfies GrpcListener);

  app.addHook('preClose', async () => {
    stopWatching();
    if (port === undefined) return server.forceShutdown();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });
};

export default fp(grpcPlugin, { name: 'inference-grpc', fastify: '5.x' });
