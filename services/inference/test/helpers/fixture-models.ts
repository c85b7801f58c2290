import { GraphBuilder } from '../../scripts/onnx/graph-builder.js';
import type { OnnxDataTypeName } from '../../scripts/onnx/onnx-schema.js';
import type { DataType } from '../../src/protocol/datatypes.js';

/** Protocol datatype → ONNX element type, for every datatype the service supports. */
export const onnxTypeOf: Readonly<Record<DataType, OnnxDataTypeName>> = {
  BOOL: 'BOOL', UINT8: 'UINT8', UINT16: 'UINT16', UINT32: 'UINT32', UINT64: 'UINT64',
  INT8: 'INT8', INT16: 'INT16', INT32: 'INT32', INT64: 'INT64', FP16: 'FLOAT16', FP32: 'FLOAT', FP64: 'DOUBLE',
};

/** One Identity per datatype: input `x_<TYPE>` [batch, 3] → output `y_<TYPE>` [batch, 3]. */
export function allTypesModel(): Uint8Array {
  const g = new GraphBuilder('all_types');
  for (const [protocol, onnx] of Object.entries(onnxTypeOf)) {
    g.input(`x_${protocol}`, onnx, ['batch', 3]);
    g.node('Identity', [`x_${protocol}`], {}, [`y_${protocol}`]);
    g.output(`y_${protocol}`, onnx, ['batch', 3]);
  }
  return g.toBytes();
}

/** fp16 in, fp16 and fp32 out: `doubled` = 2·x computed in fp32 and cast back, `widened` = x as fp32. */
export function halfModel(): Uint8Array {
  const g = new GraphBuilder('half');
  g.input('x', 'FLOAT16', ['batch', 4]);
  const widened = g.node('Cast', ['x'], { to: 1 }, ['widened']);
  const two = g.floats('two', [1], Float32Array.from([2]));
  g.node('Cast', [g.node('Mul', [widened, two])], { to: 10 }, ['doubled']);
  g.output('doubled', 'FLOAT16', ['batch', 4]);
  g.output('widened', 'FLOAT', ['batch', 4]);
  return g.toBytes();
}

/** Two inputs, two outputs; `scale` distinguishes versions: sum = (a + b) · scale, diff = a − b. */
export function pairModel(scale: number): Uint8Array {
  const g = new GraphBuilder('pair');
  g.input('a', 'FLOAT', ['batch', 3]);
  g.input('b', 'FLOAT', ['batch', 3]);
  g.node('Mul', [g.node('Add', ['a', 'b']), g.floats('scale', [1], Float32Array.from([scale]))], {}, ['sum']);
  g.node('Sub', ['a', 'b'], {}, ['diff']);
  g.output('sum', 'FLOAT', ['batch', 3]);
  g.output('diff', 'FLOAT', ['batch', 3]);
  return g.toBytes();
}

/** Fixed shape [2, 2] (no batch axis): served without batching. */
export function fixedModel(): Uint8Array {
  const g = new GraphBuilder('fixed');
  g.input('m', 'FLOAT', [2, 2]);
  g.node('Transpose', ['m'], { perm: [1, 0] }, ['t']);
  g.output('t', 'FLOAT', [2, 2]);
  return g.toBytes();
}

/** Deliberately slow: `depth` MatMuls of [batch, 512] × [512, 512] (about 0.5 MFLOP per row each). */
export function slowModel(depth: number): Uint8Array {
  const g = new GraphBuilder('slow');
  g.input('x', 'FLOAT', ['batch', 512]);
  const weights = new Float32Array(512 * 512).map((_, i) => (((i * 7919) % 1000) / 1000 - 0.5) / 16);
  const w = g.floats('w', [512, 512], weights);
  let x = 'x';
  for (let i = 0; i < depth; i++) x = g.node('MatMul', [x, w]);
  g.node('Identity', [x], {}, ['y']);
  g.output('y', 'FLOAT', ['batch', 512]);
  return g.toBytes();
}

/**
 * A model whose cost grows with the cube of its non-batch axis `n`: the outer product x·xᵀ ([batch, n, n]) squared
 * `layers` times, summed back to [batch, n]. The warm-up (which runs at a tiny `n`) costs nothing, while one request
 * at n = 1024 runs ~2 s on one fast core (192 × 1024³ multiply-adds, ~100 G/s measured on AVX-512): long against two
 * loopback requests even on a loaded CI machine, without slowing the service's start.
 */
export function cubicModel(layers: number): Uint8Array {
  const g = new GraphBuilder('cubic');
  g.input('x', 'FLOAT', ['batch', 'n']);
  const column = g.node('Unsqueeze', ['x', g.int64s('last', [2])]);
  const row = g.node('Unsqueeze', ['x', g.int64s('middle', [1])]);
  let m = g.node('MatMul', [column, row]);
  for (let i = 0; i < layers; i++) m = g.node('MatMul', [m, m]);
  g.node('ReduceSum', [m, 'last'], { keepdims: 0 }, ['y']);
  g.output('y', 'FLOAT', ['batch', 'n']);
  return g.toBytes();
}
