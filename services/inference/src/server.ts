import Fastify from 'fastify';
import app from './app.js';
import { ConfigError, loadConfig, type ServiceConfig } from './config.js';

/**
 * Runs the service: logger, listen, close on SIGTERM/SIGINT. Closing stops accepting connections, lets
 * in-flight requests finish, then terminates the worker threads (onClose hook in app.ts).
 */
let config: ServiceConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const server = Fastify({ logger: { level: config.logLevel }, bodyLimit: config.bodyLimitBytes });
await server.register(app, { config });
await server.listen({ host: config.host, port: config.port });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.log.info({ signal }, 'closing');
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        server.log.error({ err: error }, 'close failed');
        process.exit(1);
      },
    );
  });
}
