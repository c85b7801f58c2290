/**
 * Stored form of a computed answer, so that a cached answer is byte-identical to a computed one.
 *
 * The V2 response echoes the request `id`, which differs between otherwise identical requests. We store the exact
 * serialized body with the `"id":<value>` member cut out and remember where it was; a hit splices the new
 * request's id back in at that offset. Nothing is re-serialized, so number formatting, key order and whitespace
 * are whatever the service produced. Whether the request had an id is part of the cache key (see plugin.ts),
 * so a template is only ever completed the way it was cut.
 */
export interface Template {
  /** Offset (UTF-16 code units, as String.slice counts) of the cut, or -1 when the answer had no id. */
  readonly offset: number;
  readonly body: string;
}

/** Cuts `"id":<json>` out of `payload`; undefined when it does not occur exactly once (then do not cache). */
export function cutId(payload: string, id: string | undefined): Template | undefined {
  if (id === undefined) return { offset: -1, body: payload };
  const member = `"id":${JSON.stringify(id)}`;
  const at = payload.indexOf(member);
  if (at < 0 || payload.indexOf(member, at + 1) >= 0) return undefined;
  return { offset: at, body: payload.slice(0, at) + payload.slice(at + member.length) };
}

export function spliceId(template: Template, id: string | undefined): string {
  if (template.offset < 0 || id === undefined) return template.body;
  const { body, offset } = template;
  return `${body.slice(0, offset)}"id":${JSON.stringify(id)}${body.slice(offset)}`;
}

export function encodeTemplate(template: Template): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32LE(template.offset);
  return Buffer.concat([head, Buffer.from(template.body, 'utf8')]);
}

export function decodeTemplate(record: Buffer): Template | undefined {
  if (record.length < 4) return undefined;
  const offset = record.readInt32LE(0);
  const body = record.subarray(4).toString('utf8');
  if (offset < -1 || offset > body.length) return undefined;
  return { offset, body };
}
