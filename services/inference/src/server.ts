import Fastify from 'fastify';
import app from './app.js';
import { ConfigError, loadConfig, type ServiceConfig } from './config.js';
import { streamCapacityWarning } from './generation/capacity.js';
import { prepareProduction, startProduction, type ProductionRuntime } from './production/runtime.js';

/**
 * Runs the service: logger, listen, drain on SIGTERM/SIGINT (src/shutdown/drain.ts). Closing stops accepting
 * connections, lets in-flight requests finish, then terminates the worker threads (onClose hook in app.ts).
 */
let config: ServiceConfig;
let production: ProductionRuntime;
try {
  config = loadConfig();
  production = prepareProduction(process.env, config.logLevel);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
// ECS JSON logs with redaction and x-request-id, HTTPS when TLS_CERT_FILE/TLS_KEY_FILE are set (src/production).
const server = Fastify({ ...production.serverOptions, bodyLimit: config.bodyLimitBytes });
await server.register(app, { config, observers: [production.observer], production });
const capacity = streamCapacityWarning(config, production.config.limits.maxInflight);
if (capacity) server.log.warn(capacity);
await server.listen({ host: config.host, port: config.port });
// GRPC_ENABLED=true: the gRPC API on GRPC_PORT, same pipeline (src/grpc); a port it cannot bind stops the start.
try {
  await server.grpc?.listen();
} catch (error) {
  console.error((error as Error).message);
  await server.close();
  process.exit(2);
}
// Metrics listener on METRICS_PORT, and SIGTERM/SIGINT → readiness 503, drain within SHUTDOWN_TIMEOUT_SECONDS, exit.
await startProduction(server, production, config.host);
