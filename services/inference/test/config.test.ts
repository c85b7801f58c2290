import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../src/config.js';
import { streamCapacityWarning } from '../src/generation/capacity.js';
import { limitsConfigFromEnv } from '../src/limits/config.js';

describe('service configuration', () => {
  it('has documented defaults for local runs', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.modelRepository).toMatch(/services\/inference\/models$/);
    expect(config.workerThreads).toBeGreaterThanOrEqual(1);
  });

  it('lets a full generation engine answer 429 before the admission gate sheds, and warns where settings do not', () => {
    const maxInflight = limitsConfigFromEnv({}).maxInflight;
    expect(streamCapacityWarning(loadConfig({ WORKER_THREADS: '2' }), maxInflight)).toBeUndefined();
    expect(streamCapacityWarning(loadConfig({ WORKER_THREADS: '4' }), maxInflight)).toBe(
      'GENERATE_MAX_SEQUENCES 64 × WORKER_THREADS 4 + GENERATE_MAX_QUEUE 64 = 320 streams can fill MAX_INFLIGHT_REQUESTS 256: ' +
        'a full engine will be answered 503 by the admission gate instead of 429 with Retry-After; raise MAX_INFLIGHT_REQUESTS above 320 or lower the generation settings',
    );
  });

  it('reads the environment', () => {
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '9090', WORKER_THREADS: '3', STRICT_READINESS: 'true', BATCH_MAX_QUEUE_DELAY_US: '0' });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9090, workerThreads: 3, strictReadiness: true, maxQueueDelayMicroseconds: 0 });
  });

  it('reports every bad variable at once, by name', () => {
    expect(() => loadConfig({ PORT: '80a', WORKER_THREADS: '0', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: '80a', WORKER_THREADS: '0', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT="80a" must be an integer in 0..65535');
      expect((error as Error).message).toContain('WORKER_THREADS="0" must be an integer in 1..64');
      expect((error as Error).message).toContain('LOG_LEVEL="loud" must be one of fatal, error');
    }
  });

  it('documents every setting in docs/configuration.md', async () => {
    const doc = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const setting of Object.values(settings)) expect(doc, setting.env).toContain(`\`${setting.env}\``);
  });
});
