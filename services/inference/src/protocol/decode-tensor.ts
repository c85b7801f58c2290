import { dataTypeInfo, type DataType, type TypedArray } from './datatypes.js';
import { elementWriter } from './element-writers.js';
import { badRequest } from './errors.js';

/**
 * Turns a JSON tensor (`shape` + flat or nested row-major `data`) into a typed array. The element count implied
 * by the shape is checked against `maxElements` and against the data before anything is allocated.
 */
export function decodeTensorData(label: string, datatype: DataType, shape: readonly number[], data: unknown, maxElements: number): TypedArray {
  const count = elementCount(label, shape, maxElements);
  if (!Array.isArray(data)) throw badRequest(`${label}: data must be an array, got ${data === null ? 'null' : typeof data}`);
  const nested = data.length > 0 && Array.isArray(data[0]);
  if (nested) checkNested(label, data, shape, 0);
  else if (data.length !== count) {
    throw badRequest(`${label}: shape [${shape.join(',')}] needs ${count} values, data has ${data.length}`);
  }
  const target = dataTypeInfo[datatype].allocate(count);
  const write = elementWriter(datatype);
  let index = 0;
  const fill = (values: readonly unknown[]): void => {
    for (const value of values) {
      if (nested && Array.isArray(value)) {
        fill(value);
        continue;
      }
      const problem = write(target, index, value);
      if (problem !== undefined) throw badRequest(`${label}: element ${index} ${problem} (datatype ${datatype})`);
      index++;
    }
  };
  fill(data);
  return target;
}

/** Product of the dimensions; rejects non-integers, negatives and products above `maxElements` early. */
export function elementCount(label: string, shape: readonly number[], maxElements: number): number {
  let count = 1;
  for (const dim of shape) {
    if (!Number.isInteger(dim)) throw badRequest(`${label}: shape [${shape.join(',')}] has a dimension that is not an integer`);
    if (dim < 0) throw badRequest(`${label}: shape [${shape.join(',')}] has a negative dimension`);
    count *= dim;
    if (count > maxElements) {
      throw badRequest(`${label}: shape [${shape.join(',')}] has more than ${maxElements} elements (the per-tensor limit)`);
    }
  }
  return count;
}

/** Nested data must mirror the shape exactly: depth = rank and every list as long as its dimension. */
function checkNested(label: string, data: readonly unknown[], shape: readonly number[], depth: number): void {
  const expected = shape[depth];
  if (expected === undefined) throw badRequest(`${label}: nested data is deeper than shape [${shape.join(',')}]`);
  if (data.length !== expected) {
    throw badRequest(`${label}: nested data does not match shape [${shape.join(',')}]: a list at depth ${depth} has ${data.length} values, expected ${expected}`);
  }
  if (depth === shape.length - 1) {
    for (const value of data) {
      if (Array.isArray(value)) throw badRequest(`${label}: nested data is deeper than shape [${shape.join(',')}]`);
    }
    return;
  }
  for (const value of data) {
    if (!Array.isArray(value)) throw badRequest(`${label}: nested data is shallower than shape [${shape.join(',')}] at depth ${depth + 1}`);
    checkNested(label, value, shape, depth + 1);
  }
}
