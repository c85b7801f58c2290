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
  /** Per-input parameters (the parser refuses some, e.g. `binary_data_size`), so they are part of the key. */
  readonly parameters: unknown;
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

/**
 * Flat element list of `data`, refusing what the request parser would refuse (CanonicalizationError, so the request
 * bypasses the cache and the handler answers 400): data that is not an array, nested data that does not mirror the
 * shape, a boolean where the datatype wants a number or the other way round. Without these checks a malformed request
 * that collapses onto the canonical bytes of a valid one (`[[1,2],[3]]` for shape [1,3], `true` for an INT64 1)
 * would be answered 200 from the cache while the same request uncached gets 400.
 */
function flatten(name: string, datatype: string, shape: readonly number[], data: unknown): unknown[] {
  if (!Array.isArray(data)) throw new CanonicalizationError(`input "${name}": data is not an array`);
  const out: unknown[] = [];
  const wantBoolean = datatype === 'BOOL';
  const leaf = (value: unknown): void => {
    const ok = wantBoolean ? typeof value === 'boolean' : typeof value === 'number' || typeof value === 'bigint';
    if (!ok) throw new CanonicalizationError(`input "${name}": element ${out.length} is not a ${wantBoolean ? 'boolean' : 'number'}`);
    out.push(value);
  };
  const nested = (list: readonly unknown[], depth: number): void => {
    if (list.length !== shape[depth]) throw new CanonicalizationError(`input "${name}": nested data does not mirror the shape`);
    const last = depth === shape.length - 1;
    for (const item of list) {
      if (last) {
        if (Array.isArray(item)) throw new CanonicalizationError(`input "${name}": nested data is deeper than the shape`);
        leaf(item);
      } else {
        if (!Array.isArray(item)) throw new CanonicalizationError(`input "${name}": nested data is shallower than the shape`);
        nested(item, depth + 1);
      }
    }
  };
  if (data.length > 0 && Array.isArray(data[0])) nested(data, 0);
  else for (const item of data) leaf(item);
  return out;
}

/**
 * Element bytes, prefixed with their encoding so encodings can never collide: "raw" for typed arrays,
 * "f64" for plain JSON numbers/booleans, "tagged" (1 tag byte + 8 bytes per element) when a JSON parser handed us
 * bigints for int64 values beyond 2^53.
 */
function elementBytes(writer: FieldWriter, input: V2Input): void {
  const { data } = input;
  if (ArrayBuffer.isView(data)) {
    writer.string('raw').bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  const flat = flatten(input.name, input.datatype, input.shape, data);
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
    // flatten() let through booleans only for BOOL and numbers only otherwise, and the datatype is in the key.
    out.writeDoubleLE(typeof v === 'boolean' ? Number(v) : (v as number), tagged ? at + 1 : at);
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
  return { name: v.name, datatype: v.datatype, shape, data: v.data, parameters: v.parameters };
}

/** Appends the canonical form of `inputs` (the V2 request's `inputs` array) to `writer`. */
export function writeCanonicalInputs(writer: FieldWriter, inputs: unknown): void {
  if (!Array.isArray(inputs)) throw new CanonicalizationError('inputs is not an array');
  const sorted = inputs.map(asInput).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  writer.string(String(sorted.length));
  for (const input of sorted) {
    writer.string(input.name).string(input.datatype).string(input.shape.join(',')).string(stableJson(input.parameters ?? null));
    elementBytes(writer, input);
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
