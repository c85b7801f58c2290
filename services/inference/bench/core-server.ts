/**
 * The service core without the production layer (no auth, cache, metrics, audit logs, drain): app.ts exactly as
 * the tests build it. The benchmark runs it next to the full server so that the design comparison with the naive
 * server (which has no production layer either) is like for like, and the layer's own cost is visible.
 * Usage: tsx bench/core-server.ts (PORT, HOST and the other service settings from the environment)
 */
import Fastify from 'fastify';
import app from '../src/app.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const server = Fastify({ logger: { level: config.logLevel }, bodyLimit: config.bodyLimitBytes });
await server.register(app, { config });
await server.listen({ host: config.host, port: config.port });
process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
