/**
 * A small byte-level BPE tokenizer in the Hugging Face `tokenizer.json` format, written the way an Optimum export
 * folder holds it (tokenizer.json, tokenizer_config.json with a chat template, generation_config.json), so the
 * tokenizer code is tested against files it did not make itself. Every byte is a token (GPT-2's byte-to-unicode
 * alphabet), so a multi-byte UTF-8 character spans several tokens — what incremental detokenization must survive.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** GPT-2's reversible byte → printable character table (openai/gpt-2 encoder.py bytes_to_unicode). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return table;
}

export interface FixtureTokenizerOptions {
  /** Merges as pairs of byte-level strings, e.g. ['h', 'e']; each adds the merged token. */
  readonly merges?: ReadonlyArray<readonly [string, string]>;
  /** Chat template (Jinja) stored in tokenizer_config.json; omitted = none. */
  readonly chatTemplate?: string;
  /** Add the bos token in front of every plain encode (a TemplateProcessing post-processor, as Llama exports do). */
  readonly addBos?: boolean;
  /** Write generation_config.json naming these eos ids. */
  readonly generationEosIds?: readonly number[];
}

export const fixtureSpecialTokens = { bos: '<|bos|>', eos: '<|eos|>', user: '<|user|>', assistant: '<|assistant|>' } as const;

const defaultMerges: ReadonlyArray<readonly [string, string]> = [
  ['h', 'e'], ['l', 'l'], ['he', 'll'], ['hell', 'o'], ['Ġ', 'w'], ['o', 'r'], ['Ġw', 'or'], ['Ġwor', 'l'], ['Ġworl', 'd'],
];

export const fixtureChatTemplate =
  "{{ bos_token }}{% for m in messages %}{% if m['role'] not in ['system', 'user', 'assistant'] %}{{ raise_exception('unknown role ' + m['role']) }}{% endif %}" +
  "<|{{ m['role'] }}|>{{ m['content'] }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

/** Writes the tokenizer files into `directory` and returns the id of each special token. */
export async function writeFixtureTokenizer(directory: string, options: FixtureTokenizerOptions = {}): Promise<Record<keyof typeof fixtureSpecialTokens, number>> {
  const alphabet = bytesToUnicode();
  const vocab: Record<string, number> = {};
  alphabet.forEach((ch, i) => (vocab[ch] = i));
  const merges = options.merges ?? defaultMerges;
  for (const [a, b] of merges) vocab[a + b] ??= Object.keys(vocab).length;
  let next = Object.keys(vocab).length;
  const ids = { bos: next++, eos: next++, user: next++, assistant: next++ };
  const added = (Object.keys(ids) as Array<keyof typeof ids>).map((k) => ({
    id: ids[k], content: fixtureSpecialTokens[k], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const bos = fixtureSpecialTokens.bos;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: options.addBos
      ? {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { [bos]: { id: bos, ids: [ids.bos], tokens: [bos] } },
        }
      : byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const config = {
    add_bos_token: options.addBos === true,
    bos_token: bos,
    // The AddedToken-dict form some exports use for special tokens.
    eos_token: { __type: 'AddedToken', content: fixtureSpecialTokens.eos, lstrip: false, normalized: false, rstrip: false, single_word: false },
    model_max_length: 256,
    tokenizer_class: 'PreTrainedTokenizerFast',
    ...(options.chatTemplate !== undefined && { chat_template: options.chatTemplate }),
  };
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(join(directory, 'tokenizer_config.json'), JSON.stringify(config));
  if (options.generationEosIds) await writeFile(join(directory, 'generation_config.json'), JSON.stringify({ eos_token_id: options.generationEosIds }));
  return ids;
}
