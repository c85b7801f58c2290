/**
 * The model's chat template (tokenizer_config.json `chat_template`), rendered with @huggingface/jinja the way
 * transformers' apply_chat_template does: `messages`, `add_generation_prompt: true` and the special tokens as
 * variables. A template that calls raise_exception (an unsupported role order, say) is the client's error.
 */
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
  /** Optional speaker name (OpenAI `name`); templates that know it use it. */
  readonly name?: string;
}

/** The template raised an exception while rendering: the conversation is one the model's template refuses. */
export class ChatTemplateError extends Error {}

export class ChatTemplate {
  private constructor(private readonly template: Template) {}

  /**
   * `chat_template` is a string or a list of `{name, template}` (the "default" one is used, as in transformers).
   * Undefined when the config has none; throws naming the file when it is malformed or does not parse.
   */
  static fromConfig(value: unknown, file: string): ChatTemplate | undefined {
    if (value === undefined || value === null) return undefined;
    let source: unknown = value;
    if (Array.isArray(value)) {
      const named = value.find((t: unknown) => typeof t === 'object' && t !== null && (t as { name?: unknown }).name === 'default');
      source = (named as { template?: unknown } | undefined)?.template;
    }
    if (typeof source !== 'string') throw new Error(`${file}: chat_template must be a string or a list with a "default" {name, template}`);
    try {
      return new ChatTemplate(new Template(source));
    } catch (error) {
      throw new Error(`${file}: chat_template does not parse: ${(error as Error).message}`);
    }
  }

  render(messages: readonly ChatMessage[], specialTokens: Readonly<Record<string, string>>): string {
    try {
      return this.template.render({ ...specialTokens, messages, add_generation_prompt: true });
    } catch (error) {
      throw new ChatTemplateError(`the model's chat template refused the messages: ${(error as Error).message}`);
    }
  }
}
