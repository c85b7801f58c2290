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
  /** The JSON answer, or the JSON header of a binary tensor data answer. */
  readonly body: string;
  /** The binary outputs after the JSON header (binary tensor data extension); absent for a JSON answer. */
  readonly tail?: Buffer;
}

/** First int32 of a binary answer's record; a JSON answer's record starts with its offset (≥ -1). */
const BINARY = -2;

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

/** Cuts the id out of the JSON header of a binary answer (`headerLength` bytes, then the binary outputs). */
export function cutBinaryId(payload: Buffer, headerLength: number, id: string | undefined): Template | undefined {
  if (!(headerLength >= 0 && headerLength <= payload.byteLength)) return undefined;
  const template = cutId(payload.subarray(0, headerLength).toString('utf8'), id);
  return template && { ...template, tail: Buffer.from(payload.subarray(headerLength)) };
}

/** A binary answer from its template: the body, and the new JSON header's length for Inference-Header-Content-Length. */
export function spliceBinaryId(template: Template, id: string | undefined): { readonly body: Buffer; readonly headerLength: number } {
  const header = Buffer.from(spliceId(template, id), 'utf8');
  return { body: Buffer.concat([header, template.tail ?? Buffer.alloc(0)]), headerLength: header.byteLength };
}

/**
 * Record layout: JSON answer `offset (int32) | body`; binary answer `-2 (int32) | offset (int32) | header bytes
 * (uint32) | header | tail`. A record in the JSON layout written before binary answers existed still decodes.
 */
export function encodeTemplate(template: Template): Buffer {
  const body = Buffer.from(template.body, 'utf8');
  if (template.tail === undefined) {
    const head = Buffer.alloc(4);
    head.writeInt32LE(template.offset);
    return Buffer.concat([head, body]);
  }
  const head = Buffer.alloc(12);
  head.writeInt32LE(BINARY, 0);
  head.writeInt32LE(template.offset, 4);
  head.writeUInt32LE(body.byteLength, 8);
  return Buffer.concat([head, body, template.tail]);
}

export function decodeTemplate(record: Buffer): Template | undefined {
  if (record.length < 4) return undefined;
  if (record.readInt32LE(0) === BINARY) {
    if (record.length < 12) return undefined;
    const offset = record.readInt32LE(4);
    const headerBytes = record.readUInt32LE(8);
    if (12 + headerBytes > record.length) return undefined;
    const body = record.subarray(12, 12 + headerBytes).toString('utf8');
    if (offset < -1 || offset > body.length) return undefined;
    return { offset, body, tail: record.subarray(12 + headerBytes) };
  }
  const offset = record.readInt32LE(0);
  const body = record.subarray(4).toString('utf8');
  if (offset < -1 || offset > body.length) return undefined;
  return { offset, body };
}
