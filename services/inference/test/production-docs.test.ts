/** docs/ lists every production setting the readers use and every exported metric (issue 3, "Done when"). */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metricNames } from '../src/metrics/names.js';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '..', 'src');
const docs = join(here, '..', '..', '..', 'docs');
const folders = ['auth', 'cache', 'limits', 'fault', 'shutdown', 'tls', 'production', 'usage', 'tracing'];

function settingNames(): Set<string> {
  const names = new Set<string>();
  for (const folder of folders) {
    for (const file of readdirSync(join(src, folder)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(src, folder, file), 'utf8');
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\(env, '([A-Z][A-Z0-9_]+)'/g)) names.add((m[1] ?? m[2]) as string);
    }
  }
  return names;
}

describe('production docs', () => {
  it('configuration.md lists every production setting', () => {
    const names = settingNames();
    expect(names.size).toBeGreaterThan(25);
    const text = readFileSync(join(docs, 'configuration.md'), 'utf8');
    const missing = [...names].filter((n) => !text.includes(`| \`${n}\` |`));
    expect(missing).toEqual([]);
  });

  it('metrics.md documents every metric of the contract', () => {
    const text = readFileSync(join(docs, 'metrics.md'), 'utf8');
    const missing = Object.values(metricNames).filter((n) => !text.includes(`| \`${n}\` |`));
    expect(missing).toEqual([]);
  });
});
