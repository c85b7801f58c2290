/**
 * Canonical bytes of a V2 inference request, the input of the cache key.
 *
 * Two requests that must give the same answer must give the same bytes: inputs are sorted by name, and nested
 * (`[[1,2],[3,4]]`) and flat (`[1,2,3,4]`) data are the same tensor. Every field is length-prefixed so no two
 * different requests can concatenate to the same bytes. Element values are written as IEEE-754 float64 — exactly
 * what a JSON number can carry — so the encoding does not depend on how the service later narrows them.
 */
export class CanonicalizationError extends Error {}

interface V2Input {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: unknown;
}

/** Writes length-prefixed fields into a growing list of buffers. */
export class FieldWriter {
  private readonly parts: Buffer[] = [];

  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.bytes(bytes);
  }

  bytes(value: Uint8Array): this {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(value.byteLength);
    this.parts.push(len, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return this;
  }

  toBuffers(): readonly Buffer[] {
    return this.parts;
  }
}

function flatten(data: unknown, out: unknown[]): void {
  if (Array.isArray(data)) for (const item of data) flatten(item, out);
  else out.push(data);
}

/**
 * Element bytes, prefixed with their encoding so encodings can never collide: "raw" for typed arrays,
 * "f64" for plain JSON numbers/booleans, "tagged" (1 tag byte + 8 bytes per element) when a JSON parser handed us
 * bigints for int64 values beyond 2^53.
 */
function elementBytes(writer: FieldWriter, name: string, data: unknown): void {
  if (ArrayBuffer.isView(data)) {
    writer.string('raw').bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  const flat: unknown[] = [];
  flatten(data, flat);
  const tagged = flat.some((v) => typeof v === 'bigint');
  const width = tagged ? 9 : 8;
  const out = Buffer.alloc(flat.length * width);
  flat.forEach((v, i) => {
    const at = i * width;
    if (typeof v === 'bigint') {
      out[at] = 1;
      out.writeBigInt64LE(BigInt.asIntN(64, v), at + 1);
      return;
    }
    const n = typeof v === 'boolean' ? Number(v) : v;
    if (typeof n !== 'number') throw new CanonicalizationError(`input "${name}": element ${i} is not a number`);
    out.writeDoubleLE(n, tagged ? at + 1 : at);
  });
  writer.string(tagged ? 'tagged' : 'f64').bytes(out);
}

function asInput(value: unknown, index: number): V2Input {
  if (typeof value !== 'object' || value === null) throw new CanonicalizationError(`inputs[${index}] is not an object`);
  const v = value as Record<string, unknown>;
  const shape = v.shape;
  if (typeof v.name !== 'string' || typeof v.datatype !== 'string' || !Array.isArray(shape)) {
    throw new CanonicalizationError(`inputs[${index}] lacks name, datatype or shape`);
  }
  if (!shape.every((d): d is number => Number.isSafeInteger(d))) {
    throw new CanonicalizationError(`inputs[${index}] shape is not a list of integers`);
  }
  return { name: v.name, datatype: v.datatype, shape, data: v.data };
}

/** Appends the canonical form of `inputs` (the V2 request's `inputs` array) to `writer`. */
export function writeCanonicalInputs(writer: FieldWriter, inputs: unknown): void {
  if (!Array.isArray(inputs)) throw new CanonicalizationError('inputs is not an array');
  const sorted = inputs.map(asInput).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  writer.string(String(sorted.length));
  for (const input of sorted) {
    writer.string(input.name).string(input.datatype).string(input.shape.join(','));
    elementBytes(writer, input.name, input.data);
  }
}

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` are one request. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
