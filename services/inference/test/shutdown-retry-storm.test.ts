/**
 * A client (or gateway) that keeps retrying against a draining replica faster than the drain's quiet period must not
 * hold the drain open: only requests admitted before SIGTERM count, so the process exits 0 soon after the last of
 * them, not 1 at SHUTDOWN_TIMEOUT_SECONDS.
 */
import { describe, expect, it } from 'vitest';
import { demoInfer, spawnService } from './production-support/real-service.js';

describe('drain under a retry storm', () => {
  it('exits 0 long before SHUTDOWN_TIMEOUT_SECONDS while refused requests and probes keep arriving', async () => {
    // The designed drain is the quiet wait (capped at ~1 s) after the last admitted answer. A generous timeout keeps
    // that far from the bound on a loaded machine, while a drain held open by the storm still runs the full 20 s
    // and exits 1.
    const timeoutSeconds = 20;
    const service = await spawnService({ AUTH_MODE: 'none', CACHE_ENABLED: 'false', SHUTDOWN_TIMEOUT_SECONDS: String(timeoutSeconds), LOG_LEVEL: 'warn' });
    let exited = false;
    const exit = service.exited.then((code) => {
      exited = true;
      return code;
    });
    const body = JSON.stringify(demoInfer(1));
    const statuses: number[] = [];
    // Each loop retries at once, whatever the answer: 503 while draining, a refused connection after the close.
    const hammer = async (path: string, init?: RequestInit) => {
      while (!exited) {
        statuses.push(await fetch(`${service.url}${path}`, init).then(async (r) => (await r.arrayBuffer(), r.status), () => 0));
      }
    };
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    const loops = [hammer('/v2/models/demo/infer', post), hammer('/v2/models/demo/infer', post), hammer('/v2/health/ready'), hammer('/v2/health/live')];
    await new Promise((r) => setTimeout(r, 300));
    const sigtermAt = performance.now();
    service.child.kill('SIGTERM');
    const code = await exit;
    const drainMs = performance.now() - sigtermAt;
    await Promise.all(loops);
    expect(statuses).toContain(503); // the storm reached the draining server
    expect(code).toBe(0);
    // ~1.1 s designed (1.16 s measured under load); 5 s still flags a drain the storm stretches to several seconds.
    expect(drainMs).toBeLessThan(5_000);
  });
});
