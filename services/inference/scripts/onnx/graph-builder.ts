import { AttributeType, ModelProto, OnnxDataType, type OnnxDataTypeName } from './onnx-schema.js';

/** A dimension: a fixed size, or a named symbolic axis such as `batch` (dynamic). */
export type Dim = number | string;

/** Node attribute values the builder knows how to encode. */
export type AttributeValue = number | string | readonly number[] | { readonly float: number };

/** Raw little-endian initializer data with its ONNX type. */
export interface InitializerData {
  readonly dtype: OnnxDataTypeName;
  readonly dims: readonly number[];
  readonly bytes: Uint8Array;
}

/**
 * Writes small ONNX graphs without Python: declare inputs, outputs, initializers and nodes, then `toBytes()`.
 * Attribute encoding: an integer number is INT, `{ float }` is FLOAT, a string is STRING, an array is INTS.
 */
export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly initializers: object[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, dtype: OnnxDataTypeName, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  output(name: string, dtype: OnnxDataTypeName, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  initializer(name: string, data: InitializerData): string {
    this.initializers.push({ name, dims: [...data.dims], dataType: OnnxDataType[data.dtype], rawData: data.bytes });
    return name;
  }

  floats(name: string, dims: readonly number[], values: Float32Array): string {
    return this.initializer(name, { dtype: 'FLOAT', dims, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
  }

  int64s(name: string, values: readonly number[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    return this.initializer(name, { dtype: 'INT64', dims: [values.length], bytes: new Uint8Array(data.buffer) });
  }

  /** Adds a node; returns its first output name (a fresh name unless `outputs` is given). */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputs?: readonly string[]): string {
    const id = this.counter++;
    const outs = outputs ?? [`${opType.toLowerCase()}_${id}`];
    const attribute = Object.entries(attributes).map(([key, value]) => encodeAttribute(key, value));
    this.nodes.push({ name: `${opType}_${id}`, opType, input: [...inputs], output: [...outs], attribute });
    return outs[0] ?? '';
  }

  /** Serializes to ONNX bytes; deterministic for the same calls. */
  toBytes(opset = 17): Uint8Array {
    const model = {
      irVersion: 8,
      producerName: 'vertical-inference-blueprint',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: opset }],
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers },
    };
    const error = ModelProto.verify(model);
    if (error) throw new Error(`invalid ONNX model ${this.name}: ${error}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

function valueInfo(name: string, dtype: OnnxDataTypeName, dims: readonly Dim[]): object {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: OnnxDataType[dtype], shape: { dim } } } };
}

function encodeAttribute(name: string, value: AttributeValue): object {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: [...(value as readonly number[])] };
  return { name, type: AttributeType.FLOAT, f: (value as { float: number }).float };
}
