import { describe, expect, it } from 'vitest';
import { CanonicalizationError } from '../src/cache/canonical.js';
import { cacheKey } from '../src/cache/key.js';
import { cutId, decodeTemplate, encodeTemplate, spliceId } from '../src/cache/response-template.js';

const secret = Buffer.alloc(32, 7);
const x = (data: unknown, shape = [2, 2]) => ({ name: 'x', datatype: 'FP32', shape, data });
const base = { tenant: 't1', model: 'demo', version: '1', withId: false };
const key = (body: Record<string, unknown>, over: Partial<typeof base> = {}) => cacheKey(secret, { ...base, ...over, body });

describe('cache key', () => {
  it('is the same for nested and flat data, input order and parameter key order', () => {
    const a = key({ inputs: [x([1, 2, 3, 4]), { name: 'm', datatype: 'INT64', shape: [1], data: [1] }], parameters: { a: 1, b: 2 } });
    const b = key({ inputs: [{ name: 'm', datatype: 'INT64', shape: [1], data: [1] }, x([[1, 2], [3, 4]])], parameters: { b: 2, a: 1 } });
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ignores the cache opt-out parameter itself', () => {
    expect(key({ inputs: [x([1, 2, 3, 4])], parameters: { cache: true } })).toBe(key({ inputs: [x([1, 2, 3, 4])] }));
  });

  it.each([
    ['tenant', { inputs: [x([1, 2, 3, 4])] }, { tenant: 't2' }],
    ['model version', { inputs: [x([1, 2, 3, 4])] }, { version: '2' }],
    ['model', { inputs: [x([1, 2, 3, 4])] }, { model: 'other' }],
    ['one value', { inputs: [x([1, 2, 3, 5])] }, {}],
    ['shape', { inputs: [x([1, 2, 3, 4], [4, 1])] }, {}],
    ['datatype', { inputs: [{ ...x([1, 2, 3, 4]), datatype: 'FP64' }] }, {}],
    ['outputs filter', { inputs: [x([1, 2, 3, 4])], outputs: [{ name: 'y' }] }, {}],
    ['presence of an id', { inputs: [x([1, 2, 3, 4])] }, { withId: true }],
  ])('changes with the %s', (_what, body, over) => {
    expect(key(body, over)).not.toBe(key({ inputs: [x([1, 2, 3, 4])] }));
  });

  it('never confuses a bigint element with the float of the same bytes', () => {
    const big = key({ inputs: [{ name: 'ids', datatype: 'INT64', shape: [1], data: [2n ** 60n] }] });
    const asDouble = Buffer.alloc(8);
    asDouble.writeBigInt64LE(2n ** 60n);
    const f = key({ inputs: [{ name: 'ids', datatype: 'INT64', shape: [1], data: [asDouble.readDoubleLE(0)] }] });
    expect(big).not.toBe(f);
  });

  it('depends on the HMAC secret (Redis readers cannot confirm guessed inputs)', () => {
    const body = { inputs: [x([1, 2, 3, 4])] };
    expect(cacheKey(Buffer.alloc(32, 8), { ...base, body })).not.toBe(key(body));
  });

  it('refuses malformed inputs instead of keying them', () => {
    expect(() => key({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: ['a'] }] })).toThrow(/element 0 is not a number/);
    expect(() => key({ inputs: 'nope' })).toThrow(/inputs is not an array/);
  });

  // A refused request bypasses the cache and reaches the parser, which answers 400; keyed, it could collide with
  // the canonical bytes of a valid request and be answered 200 from the cache.
  it.each([
    ['ragged nesting', x([[1, 2, 3], [4]])],
    ['nesting deeper than the shape', x([[[1], [2]], [[3], [4]]])],
    ['data that is not an array', { ...x(5, [1]) }],
    ['a boolean in a numeric tensor', x([true, 2, 3, 4])],
    ['a number in a BOOL tensor', { name: 'x', datatype: 'BOOL', shape: [2], data: [1, 0] }],
  ])('refuses %s instead of keying it like a valid request', (_what, input) => {
    expect(() => key({ inputs: [input] })).toThrow(CanonicalizationError);
  });

  it.each([5, 'x', null, []])('refuses request parameters %j (not an object) instead of keying them as none', (parameters) => {
    expect(() => key({ inputs: [x([1, 2, 3, 4])], parameters })).toThrow(CanonicalizationError);
  });

  it('refuses "outputs": null instead of keying it like a request without outputs', () => {
    expect(() => key({ inputs: [x([1, 2, 3, 4])], outputs: null })).toThrow(CanonicalizationError);
  });

  it('keys BOOL data given as booleans, and per-input parameters', () => {
    const bools = { name: 'x', datatype: 'BOOL', shape: [2], data: [true, false] };
    expect(key({ inputs: [bools] })).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key({ inputs: [{ ...x([1, 2, 3, 4]), parameters: { p: 1 } }] })).not.toBe(key({ inputs: [x([1, 2, 3, 4])] }));
  });
});

describe('stored answer template', () => {
  it('splices a new id into exactly the bytes the service produced', () => {
    const computedA = '{"model_name":"demo","model_version":"1","id":"a-1","outputs":[{"name":"y","data":[0.30000001192092896]}]}';
    const computedB = computedA.replace('"a-1"', '"b\\"2"');
    const template = cutId(computedA, 'a-1');
    expect(template).toBeDefined();
    const decoded = decodeTemplate(encodeTemplate(template!));
    expect(spliceId(decoded!, 'b"2')).toBe(computedB);
    expect(spliceId(decoded!, 'a-1')).toBe(computedA);
  });

  it('keeps an answer without id verbatim, and refuses to cut an ambiguous id', () => {
    const body = '{"model_name":"demo","outputs":[]}';
    expect(spliceId(cutId(body, undefined)!, undefined)).toBe(body);
    expect(cutId('{"id":"x","parameters":{"id":"x"}}', 'x')).toBeUndefined();
    expect(cutId('{"model_name":"demo"}', 'x')).toBeUndefined();
  });
});
