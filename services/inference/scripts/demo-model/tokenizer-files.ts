/**
 * The demo LLM's tokenizer and Hugging Face side files, written by the project itself: a byte-level BPE
 * (tokenizer.json in the `tokenizers` library's format: the 256 byte tokens under GPT-2's byte-to-unicode
 * alphabet, no merges) plus special tokens, tokenizer_config.json with a Jinja chat template, the model's
 * config.json (model_type "llama", so @huggingface/transformers can load the folder) and generation_config.json.
 */
import type { DecoderShape } from './decoder.js';

const specials = ['<|bos|>', '<|eos|>', '<|system|>', '<|user|>', '<|assistant|>'] as const;

/** Token ids: bytes are 0–255, the special tokens follow in `specials` order. */
export const demoVocabulary = {
  size: 256 + specials.length,
  bos: 256,
  eos: 257,
  specials,
} as const;

/**
 * GPT-2's reversible byte → printable character map (openai/gpt-2 encoder.py `bytes_to_unicode`), which the
 * `ByteLevel` pre-tokenizer and decoder of the tokenizers library use.
 */
export function bytesToUnicode(): string[] {
  const direct = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const kept = [...direct(33, 126), ...direct(161, 172), ...direct(174, 255)];
  const out: string[] = new Array(256);
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    out[byte] = String.fromCodePoint(kept.includes(byte) ? byte : 256 + shifted++);
  }
  return out;
}

export function tokenizerJson(): object {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((char, byte) => (vocab[char] = byte));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, i) => ({ id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    // No post-processor: plain encoding adds nothing; the chat template writes <|bos|> itself.
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}

/** ChatML-like: `<|role|>\n content <|eos|>\n` per message, then `<|assistant|>\n` when a reply is wanted. */
export const demoChatTemplate =
  "{{ bos_token }}{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

export function tokenizerConfigJson(shape: DecoderShape): object {
  const added: Record<string, object> = {};
  specials.forEach((content, i) => (added[String(256 + i)] = { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }));
  return {
    added_tokens_decoder: added,
    bos_token: '<|bos|>',
    eos_token: '<|eos|>',
    pad_token: '<|eos|>',
    add_bos_token: false,
    add_eos_token: false,
    chat_template: demoChatTemplate,
    clean_up_tokenization_spaces: false,
    model_max_length: shape.maxPositions,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}

/** The Hugging Face model config (what `AutoConfig` and transformers.js read), Llama architecture. */
export function hfConfigJson(shape: DecoderShape): object {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hidden,
    intermediate_size: shape.feedForward,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    head_dim: shape.headDim,
    max_position_embeddings: shape.maxPositions,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    attention_bias: false,
    tie_word_embeddings: false,
    bos_token_id: demoVocabulary.bos,
    eos_token_id: demoVocabulary.eos,
    pad_token_id: demoVocabulary.eos,
    torch_dtype: shape.kvDtype,
  };
}

export function generationConfigJson(): object {
  return { bos_token_id: demoVocabulary.bos, eos_token_id: demoVocabulary.eos, pad_token_id: demoVocabulary.eos, do_sample: false };
}
