/**
 * LOG_BUFFER_BYTES: log lines gathered into fewer writes, never held longer than the flush interval, and written
 * out when the process exits (the drain's exit included).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferedDestination } from '../src/logging/destination.js';
import { productionConfigFromEnv } from '../src/production/config.js';
import { demoInfer, spawnService } from './production-support/real-service.js';

const dir = mkdtempSync(join(tmpdir(), 'log-buffer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('buffered log destination', () => {
  it('holds short lines until the buffer fills or the flush interval passes, in order', async () => {
    const file = join(dir, 'a.log');
    const log = pino(bufferedDestination({ dest: file, minLength: 4096, flushMs: 50 }));
    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    expect(lines(file)).toEqual([]);
    for (let waited = 0; lines(file).length < 3 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(lines(file).map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2]);
    // Past the buffer size a write goes out at once.
    log.info({ pad: 'x'.repeat(5000) }, 'long');
    expect(lines(file)).toHaveLength(4);
  });

  it('refuses a LOG_BUFFER_BYTES that is not a size up to 1 MiB', () => {
    expect(productionConfigFromEnv({ AUTH_MODE: 'none' }).logBufferBytes).toBe(0);
    expect(() => productionConfigFromEnv({ AUTH_MODE: 'none', LOG_BUFFER_BYTES: '2000000' })).toThrow(/LOG_BUFFER_BYTES must be at most 1048576/);
    expect(() => productionConfigFromEnv({ AUTH_MODE: 'none', LOG_BUFFER_BYTES: 'big' })).toThrow(/LOG_BUFFER_BYTES/);
  });

  it('the service writes its audit records and the drain\'s last line through the buffer', async () => {
    const service = await spawnService({ AUTH_MODE: 'none', CACHE_ENABLED: 'false', LOG_LEVEL: 'info', LOG_BUFFER_BYTES: '65536' });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${service.url}/v2/models/demo/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoInfer(i)) });
      expect(res.status).toBe(200);
    }
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    // stdout is read asynchronously: the last chunk may land just after the exit event.
    await new Promise((r) => setTimeout(r, 100));
    const messages = service.logs.map((l) => l.message);
    expect(messages.filter((m) => m === 'inference audit')).toHaveLength(5);
    expect(messages.at(-1)).toBe('drained; exiting');
  });
});
