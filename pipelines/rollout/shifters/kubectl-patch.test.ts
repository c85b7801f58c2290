/**
 * The driver's JSON patch applied by a real kubectl (`kubectl patch --local`, no cluster needed) to the HTTPRoute
 * the gateway component renders. Needs kubectl on PATH (scripts/setup-tools.sh installs Debian's kubernetes-client
 * when none is there). Outside CI a machine without kubectl skips this file; under CI=true it fails instead.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasKubectl } from '../../lib/kubectl.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHttpRoute } from '../../../stacks/components/gateway/httproute.js';
import { canaryPinHeader } from '../../../stacks/components/gateway/route-model.js';
import { canaryWeightOf, weightPatch, type HttpRoute } from './kubernetes.js';

const run = promisify(execFile);

let dir = '';
const rendered = {
  ...renderHttpRoute(
    {
      hostnames: ['inference.example.com'],
      pathPrefix: '/',
      stable: { name: 'inference-stable', port: 8080 },
      canary: { name: 'inference-canary', port: 8080 },
      canaryWeight: 0,
      pinHeader: canaryPinHeader,
    },
    'inference',
    'inference',
    { name: 'inference', namespace: 'gateway', sectionName: 'https' },
  ),
};
const route = { ...rendered, metadata: { ...rendered.metadata, resourceVersion: '4711' } } as unknown as HttpRoute;

async function kubectlPatch(file: string, patch: unknown): Promise<HttpRoute> {
  const { stdout } = await run('kubectl', ['patch', '--local', '-f', file, '--type=json', '-p', JSON.stringify(patch), '-o', 'json']);
  return JSON.parse(stdout) as HttpRoute;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubectl-'));
  await writeFile(join(dir, 'route.json'), JSON.stringify(route));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasKubectl)('weight patch under real kubectl', () => {
  it('moves the rendered HTTPRoute to 80/20 and leaves the pin rule alone', async () => {
    const patched = await kubectlPatch(join(dir, 'route.json'), weightPatch(route, 'inference-stable', 'inference-canary', 20));
    expect(canaryWeightOf(patched, 'inference-stable', 'inference-canary')).toBe(20);
    expect(patched.spec.rules[1]?.backendRefs?.map((b) => [b.name, b.weight])).toEqual([
      ['inference-stable', 80],
      ['inference-canary', 20],
    ]);
    expect(patched.spec.rules[0]).toEqual(route.spec.rules[0]);
  });

  it('refuses the patch when the route changed since it was read (resourceVersion test)', async () => {
    const stale = weightPatch({ ...route, metadata: { resourceVersion: '4700' } }, 'inference-stable', 'inference-canary', 20);
    await expect(kubectlPatch(join(dir, 'route.json'), stale)).rejects.toThrow(/testing value \/metadata\/resourceVersion failed/);
  });
});
