/** `npm run drift-profile`: the shipped demo profile is what the CLI writes from the documented sample; bad input exits 2. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSample } from '../scripts/drift/demo-sample.js';
import { main } from '../scripts/drift/profile-cli.js';

let dir = '';
const shippedFile = fileURLToPath(new URL('../models/demo/1/drift-profile.json', import.meta.url));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drift-cli-'));
  // The sample the shipped profile names: npm run drift-sample -- --count 2000 --seed 1
  await writeFile(join(dir, 'reference.ndjson'), demoSample({ count: 2000, seed: 1, shifted: false }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { err: (s) => err.push(s) });
  return { code, err: err.join('') };
}

describe('npm run drift-profile', () => {
  it('rewrites the shipped demo profile from its documented sample, bins and fractions identical', async () => {
    const out = join(dir, 'profile.json');
    const result = await run(['--model', 'demo', '--version', '1', '--sample', join(dir, 'reference.ndjson'), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.err).toContain('probabilities.argmax: 4 bins');
    const written = JSON.parse(await readFile(out, 'utf8'));
    const shipped = JSON.parse(await readFile(shippedFile, 'utf8'));
    expect(written.features).toEqual(shipped.features);
    expect(written.sample).toMatchObject({ requests: 2000, rows: 2000 });
    const classes = written.features.find((f: { name: string }) => f.name === 'probabilities.argmax');
    expect(classes.edges).toEqual([0.5, 1.5, 2.5]);
  });

  const bad: Array<[string, string[], string]> = [
    ['no --sample', ['--model', 'demo', '--version', '1'], '--sample is required'],
    ['a version that is not a number', ['--model', 'demo', '--version', 'one', '--sample', 'x'], '--version must be a positive integer, got "one"'],
    ['too many bins', ['--model', 'demo', '--version', '1', '--sample', 'x', '--bins', '50'], '--bins must be an integer 2..20'],
    ['an unknown model', ['--model', 'nope', '--version', '1', '--sample', 'x'], 'cannot open'],
    ['an unknown input', ['--model', 'demo', '--version', '1', '--sample', 'x', '--inputs', 'tokens'], '--inputs: the model has no input "tokens" (it has input_ids, attention_mask)'],
  ];
  it.each(bad)('%s → exit 2 and a message', async (_what, argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('names the sample line that is not a valid request', async () => {
    const file = join(dir, 'bad.ndjson');
    const lines = demoSample({ count: 3, seed: 2, shifted: false }).trim().split('\n');
    lines[1] = JSON.stringify({ inputs: [{ name: 'input_ids', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] });
    await writeFile(file, lines.join('\n'));
    const result = await run(['--model', 'demo', '--version', '1', '--sample', file]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(new RegExp(`${file.replace(/[/.]/g, '\\$&')}:2: .*input_ids`));
  });

  it('refuses a sample too small to profile', async () => {
    const file = join(dir, 'small.ndjson');
    await writeFile(file, demoSample({ count: 20, seed: 2, shifted: false }));
    const result = await run(['--model', 'demo', '--version', '1', '--sample', file, '--out', join(dir, 'never.json')]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('holds 20 rows; a profile needs at least 100');
  });
});
