/**
 * `npm run drift-send`: posts every request of an NDJSON sample to a running service, a few at a time, and prints
 * how the answers went. The way to play reference or shifted traffic at the service (docs/usage-and-drift.md).
 *
 *   npm run drift-send -- --sample shifted.ndjson [--url http://127.0.0.1:8080] [--model demo] [--token JWT] [--concurrency 4]
 *
 * Sets `parameters.cache: false` so that repeats are computed and counted rather than answered from the cache.
 * Exit 0 when every request got 200, 1 when some did not, 2 for bad arguments.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface SendOptions {
  readonly url: string;
  readonly model: string;
  readonly lines: readonly string[];
  readonly token?: string;
  readonly concurrency: number;
}

/** Sends every line; returns the count per HTTP status (or per error message). */
export async function sendSample(options: SendOptions): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  let next = 0;
  const endpoint = `${options.url.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(options.model)}/infer`;
  const worker = async (): Promise<void> => {
    while (next < options.lines.length) {
      const body = JSON.parse(options.lines[next++] as string) as Record<string, unknown>;
      const parameters = { ...(body.parameters as object | undefined), cache: false };
      let outcome: string;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.token && { authorization: `Bearer ${options.token}` }) },
          body: JSON.stringify({ ...body, parameters }),
        });
        await res.arrayBuffer();
        outcome = String(res.status);
      } catch (error) {
        outcome = (error as Error).message;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const usage = 'usage: npm run drift-send -- --sample FILE [--url http://127.0.0.1:8080] [--model demo] [--token JWT] [--concurrency 4]';
  try {
    const { values } = parseArgs({
      options: { sample: { type: 'string' }, url: { type: 'string' }, model: { type: 'string' }, token: { type: 'string' }, concurrency: { type: 'string' } },
      strict: true,
    });
    if (!values.sample) throw new Error('--sample is required');
    const concurrency = Number(values.concurrency ?? '4');
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error(`--concurrency must be an integer 1..64, got "${values.concurrency}"`);
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), values.sample);
    const lines = (await readFile(path, 'utf8').catch((e: Error) => { throw new Error(`cannot read --sample ${values.sample}: ${e.message}`); }))
      .split('\n').filter((l) => l.trim() !== '');
    lines.forEach((l, i) => {
      try {
        JSON.parse(l);
      } catch {
        throw new Error(`${values.sample}:${i + 1}: not JSON`);
      }
    });
    const outcomes = await sendSample({ url: values.url ?? 'http://127.0.0.1:8080', model: values.model ?? 'demo', lines, token: values.token ?? process.env.TOKEN, concurrency });
    console.log([...outcomes].map(([k, n]) => `${k}: ${n}`).join(', '));
    process.exitCode = [...outcomes.keys()].every((k) => k === '200') ? 0 : 1;
  } catch (error) {
    console.error(`drift-send: ${(error as Error).message}\n${usage}`);
    process.exitCode = 2;
  }
}
