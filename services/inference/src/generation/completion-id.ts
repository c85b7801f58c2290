import { randomUUID } from 'node:crypto';

export type CompletionKind = 'completion' | 'chat';

/** OpenAI-style completion ids: `cmpl-…` and `chatcmpl-…`, fresh per answer (cache hits included). */
export const newCompletionId = (kind: CompletionKind): string => `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replaceAll('-', '')}`;
