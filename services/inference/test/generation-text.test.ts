import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTemplateError } from '../src/generation/chat-template.js';
import { IncrementalDetokenizer } from '../src/generation/detokenizer.js';
import { StopStringMatcher } from '../src/generation/stop-strings.js';
import { TextTokenizer } from '../src/generation/tokenizer.js';
import { fixtureChatTemplate, writeFixtureTokenizer } from './helpers/tokenizer-fixture.js';

let dir: string;
let plainDir: string;
let ids: Awaited<ReturnType<typeof writeFixtureTokenizer>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tok-'));
  plainDir = join(dir, 'plain');
  ids = await writeFixtureTokenizer(join(dir, 'chat'), { chatTemplate: fixtureChatTemplate, addBos: true });
  await writeFixtureTokenizer(plainDir, { generationEosIds: [7, 9] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('TextTokenizer', () => {
  it('encodes with the export\'s post-processor (bos) and decodes without special tokens', async () => {
    const tok = await TextTokenizer.load(join(dir, 'chat'));
    const encoded = tok.encode('hello world');
    expect(encoded[0]).toBe(ids.bos);
    expect(encoded).toHaveLength(3); // bos, "hello", "Ġworld" from the merges
    expect(tok.decode(encoded)).toBe('hello world');
  });

  it('takes eos from the AddedToken dict in tokenizer_config.json, or generation_config.json when present', async () => {
    expect((await TextTokenizer.load(join(dir, 'chat'))).eosTokenIds).toEqual([ids.eos]);
    expect((await TextTokenizer.load(plainDir)).eosTokenIds).toEqual([7, 9]);
  });

  it('renders the chat template with the special tokens and the generation prompt, encoded without extra bos', async () => {
    const tok = await TextTokenizer.load(join(dir, 'chat'));
    const messages = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }];
    expect(tok.renderChat(messages)).toBe('<|bos|><|system|>be brief<|eos|><|user|>hi<|eos|><|assistant|>');
    const prompt = tok.encodeChat(messages);
    expect(prompt.filter((id) => id === ids.bos)).toHaveLength(1);
    expect(prompt.at(-1)).toBe(ids.assistant);
  });

  it('turns raise_exception in the template into a ChatTemplateError naming the cause', async () => {
    const tok = await TextTokenizer.load(join(dir, 'chat'));
    expect(() => tok.renderChat([{ role: 'wizard', content: 'x' }])).toThrow(ChatTemplateError);
    expect(() => tok.renderChat([{ role: 'wizard', content: 'x' }])).toThrow(/unknown role wizard/);
  });

  it('reports a model without a chat template, and a broken tokenizer file by name', async () => {
    const tok = await TextTokenizer.load(plainDir);
    expect(tok.hasChatTemplate).toBe(false);
    expect(() => tok.encodeChat([{ role: 'user', content: 'x' }])).toThrow(/no chat template/);
    const broken = join(dir, 'broken');
    await writeFixtureTokenizer(broken);
    await writeFile(join(broken, 'tokenizer.json'), '{not json');
    await expect(TextTokenizer.load(broken)).rejects.toThrow(/tokenizer\.json is not valid JSON/);
    await expect(TextTokenizer.load(join(dir, 'missing'))).rejects.toThrow(/cannot read .*tokenizer\.json/);
  });
});

describe('IncrementalDetokenizer', () => {
  it('never emits half a UTF-8 character, and the pieces join to the full decode', async () => {
    const tok = await TextTokenizer.load(plainDir);
    const text = 'héllo 世界 🎉 world';
    const generated = tok.encode(text);
    expect(generated.length).toBeGreaterThan([...text].length); // multi-byte characters span several tokens
    const detok = new IncrementalDetokenizer(tok, tok.encode('say: '));
    const pieces = generated.map((id) => detok.push([id]));
    pieces.push(detok.flush());
    for (const piece of pieces) expect(piece).not.toMatch(/\uFFFD/);
    expect(pieces.join('')).toBe(text);
    // The 4-byte emoji arrives in one piece, after three empty ones.
    expect(pieces).toContain('🎉');
  });

  it('flushes an unfinished character at the end as U+FFFD', async () => {
    const tok = await TextTokenizer.load(plainDir);
    const euro = tok.encode('€'); // three bytes, three tokens
    const detok = new IncrementalDetokenizer(tok);
    expect(detok.push(euro.slice(0, 2))).toBe('');
    expect(detok.flush()).toBe('\uFFFD');
  });
});

describe('StopStringMatcher', () => {
  const run = (stops: string[], deltas: string[]) => {
    const m = new StopStringMatcher(stops);
    const out: string[] = [];
    let stopped = false;
    for (const d of deltas) {
      const r = m.push(d);
      out.push(r.text);
      if (r.stopped) {
        stopped = true;
        break;
      }
    }
    if (!stopped) out.push(m.flush());
    return { text: out.join(''), stopped, pieces: out };
  };

  it('matches a stop string split across deltas and emits only the text before it', () => {
    expect(run(['END'], ['abc E', 'N', 'D tail'])).toEqual({ text: 'abc ', stopped: true, pieces: ['abc ', '', ''] });
  });

  it('releases held text when it turns out not to be a stop string', () => {
    const r = run(['END'], ['abc E', 'x', 'y']);
    expect(r).toMatchObject({ text: 'abc Exy', stopped: false });
    expect(r.pieces[0]).toBe('abc '); // "E" held back until "x" decided it
  });

  it('stops at the earliest of several stop strings', () => {
    expect(run(['world', 'lo'], ['hello world']).text).toBe('hel');
  });

  it('releases held text at the end of the sequence', () => {
    expect(run(['\n\n'], ['line\n'])).toEqual({ text: 'line\n', stopped: false, pieces: ['line', '\n'] });
  });
});
