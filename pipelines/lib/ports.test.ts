import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from './ports.js';

const run = promisify(execFile);
const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

async function bindable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

describe('freePort', () => {
  it('hands out bindable ports below the ephemeral range, never the same one twice, not even to another process', async () => {
    // 300 random draws each from 10000 ports: without claims the two sets would share about 9 ports.
    const draws = 300;
    const mine: number[] = [];
    for (let i = 0; i < draws; i += 1) mine.push(await freePort());
    expect(new Set(mine).size).toBe(draws);
    for (const port of mine) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(Math.min(20_000, ephemeralStart));
    }
    expect(await bindable(mine[draws - 1]!)).toBe(true);
    // A second process (as vitest's other worker would be) draws from the same range but skips this one's claims.
    const script = `import { freePort } from './pipelines/lib/ports.ts'; const p = []; for (let i = 0; i < ${draws}; i++) p.push(await freePort()); console.log(JSON.stringify(p));`;
    const root = resolve(import.meta.dirname, '../..');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
    const theirs = JSON.parse(stdout) as number[];
    expect(theirs).toHaveLength(draws);
    expect(theirs.filter((port) => mine.includes(port))).toEqual([]);
  });
});
