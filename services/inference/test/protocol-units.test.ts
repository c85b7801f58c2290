import { describe, expect, it } from 'vitest';
import { decodeTensorData } from '../src/protocol/decode-tensor.js';
import { encodeTensorData, serializeInferResponse } from '../src/protocol/encode-tensor.js';
import { fromHalfBits, toHalfBits } from '../src/protocol/float16.js';

describe('float16', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -26, 0x0000],
    [0.1, 0x2e66],
    [Number.POSITIVE_INFINITY, 0x7c00],
  ])('%d ↔ 0x%s', (value, bits) => {
    expect(toHalfBits(value)).toBe(bits);
  });

  it('rounds ties to even and widens exactly', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromHalfBits(0x2e66)).toBe(0.0999755859375);
    expect(Number.isNaN(fromHalfBits(0x7e00))).toBe(true);
    for (let bits = 0; bits < 0x7c00; bits += 97) expect(toHalfBits(fromHalfBits(bits))).toBe(bits);
  });
});

describe('response encoding', () => {
  it('prints 64-bit integers beyond 2^53 exactly, unquoted', () => {
    const data = encodeTensorData('INT64', BigInt64Array.from([1n, -(2n ** 63n), 2n ** 63n - 1n]));
    const text = serializeInferResponse({ model_name: 'm', model_version: '1', outputs: [{ name: 'y', datatype: 'INT64', shape: [3], data }] });
    expect(text).toBe('{"model_name":"m","model_version":"1","outputs":[{"name":"y","datatype":"INT64","shape":[3],"data":[1,-9223372036854775808,9223372036854775807]}]}');
    const unsigned = encodeTensorData('UINT64', BigUint64Array.from([2n ** 64n - 1n]));
    expect(serializeInferResponse({ model_name: 'm', model_version: '1', outputs: [{ name: 'u', datatype: 'UINT64', shape: [1], data: unsigned }] })).toContain('"data":[18446744073709551615]');
  });

  it('encodes BOOL as booleans and FP16 as numbers', () => {
    expect(encodeTensorData('BOOL', Uint8Array.from([1, 0]))).toEqual([true, false]);
    expect(encodeTensorData('FP16', Uint16Array.from([0x3c00, 0xc000]))).toEqual([1, -2]);
  });
});

describe('64-bit request elements', () => {
  const decode = (datatype: 'INT64' | 'UINT64', value: number) => () => decodeTensorData("input 'x'", datatype, [1], [value], 10);

  it('stores the exact integers a JSON number can carry at both ends', () => {
    expect(decode('INT64', -(2 ** 53 - 1))()).toEqual(BigInt64Array.from([-(2n ** 53n - 1n)]));
    expect(decode('UINT64', 2 ** 53 - 1)()).toEqual(BigUint64Array.from([2n ** 53n - 1n]));
  });

  it('refuses values a JSON number cannot carry exactly, instead of wrapping them', () => {
    expect(decode('INT64', 2 ** 63)).toThrow(/input 'x'.*beyond ±\(2\^53 − 1\).*INT64/);
    expect(decode('UINT64', 2 ** 64)).toThrow(/beyond ±\(2\^53 − 1\).*UINT64/);
    expect(decode('INT64', 2 ** 53 + 2)).toThrow(/beyond/);
    expect(decode('UINT64', -1)).toThrow(/outside the UINT64 range/);
  });
});
