/**
 * A generative model version's tokenizer, read from the files a Hugging Face (Optimum) export puts beside the ONNX
 * graph: tokenizer.json (the tokenizer itself, run by @huggingface/tokenizers), tokenizer_config.json (special
 * tokens, chat template) and, when present, generation_config.json (eos ids). Nothing here knows the demo model.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ChatTemplate, type ChatMessage } from './chat-template.js';

type Json = Record<string, unknown>;

/** Special-token attributes of tokenizer_config.json, as transformers names them (SPECIAL_TOKEN_ATTRIBUTES). */
const specialTokenKeys = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** A special token is a string or an AddedToken dict (`{"content": "<s>", ...}`) in tokenizer_config.json. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return undefined;
}

async function readJson(path: string, required: boolean): Promise<Json | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Json;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function idList(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is number => Number.isInteger(v) && (v as number) >= 0);
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** Special tokens by attribute (bos_token, eos_token, ...), handed to the chat template as variables. */
    readonly specialTokens: Readonly<Record<string, string>>,
    /** Ids that end generation: generation_config.json's eos_token_id, else tokenizer_config.json's eos_token. */
    readonly eosTokenIds: readonly number[],
    private readonly chat: ChatTemplate | undefined,
  ) {}

  /** Loads the tokenizer files from a model version's folder; throws naming the file when one is missing or broken. */
  static async load(directory: string): Promise<TextTokenizer> {
    const json = (await readJson(join(directory, 'tokenizer.json'), true)) as Json;
    const config = (await readJson(join(directory, 'tokenizer_config.json'), false)) ?? {};
    const generation = (await readJson(join(directory, 'generation_config.json'), false)) ?? {};
    const tokenizer = new Tokenizer(json, config);
    const specialTokens: Record<string, string> = {};
    for (const key of specialTokenKeys) {
      const text = tokenText(config[key]);
      if (text !== undefined) specialTokens[key] = text;
    }
    let eos = idList(generation.eos_token_id);
    if (eos.length === 0 && specialTokens.eos_token !== undefined) {
      const id = tokenizer.token_to_id(specialTokens.eos_token);
      if (id !== undefined) eos = [id];
    }
    const template = ChatTemplate.fromConfig(config.chat_template, join(directory, 'tokenizer_config.json'));
    return new TextTokenizer(tokenizer, specialTokens, [...new Set(eos)], template);
  }

  /** Plain text (completions): the tokenizer's post-processor adds what the model expects (e.g. a bos token). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: true }).ids;
  }

  /** Generated ids → text, special tokens left out (they are control tokens, not text). */
  decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode(ids as number[], { skip_special_tokens: true });
  }

  get hasChatTemplate(): boolean {
    return this.chat !== undefined;
  }

  /** Renders the chat template ending in the assistant's turn (add_generation_prompt), as transformers does. */
  renderChat(messages: readonly ChatMessage[]): string {
    if (!this.chat) throw new ChatTemplateMissing();
    return this.chat.render(messages, this.specialTokens);
  }

  /** Chat messages → prompt ids. The template writes the special tokens itself, so the post-processor adds none. */
  encodeChat(messages: readonly ChatMessage[]): number[] {
    return this.tokenizer.encode(this.renderChat(messages), { add_special_tokens: false }).ids;
  }
}

export class ChatTemplateMissing extends Error {
  constructor() {
    super('this model has no chat template (tokenizer_config.json chat_template); use /v1/completions with a prompt');
  }
}
