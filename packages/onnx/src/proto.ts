// The part of ONNX's schema (onnx.proto, IR version 10) that an exported inference graph uses:
// ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto and ValueInfoProto. Field numbers
// are the schema's; each builder returns the encoded message body.
import { bytes, concatBytes, int, message, packedInts, string } from "./protobuf.js";

/** Element types of exported tensors; i64 holds shapes and axes, as ONNX's shape ops want. */
export type ElemType = "f32" | "f64" | "i32" | "i64" | "bool";

/** TensorProto.DataType codes. */
const DATA_TYPE: { readonly [K in ElemType]: number } = { f32: 1, i32: 6, i64: 7, bool: 9, f64: 11 };

/** Bytes per element of each type in raw_data (little-endian, bool as one byte). */
const WIDTH: { readonly [K in ElemType]: number } = { f32: 4, i32: 4, i64: 8, bool: 1, f64: 8 };

/** A tensor to embed: an initializer or an attribute value. */
export interface TensorData {
  readonly name: string;
  readonly type: ElemType;
  readonly dims: readonly number[];
  readonly values: ArrayLike<number>;
}

/** Raw little-endian bytes of the values, whatever the host's byte order. */
function rawData(t: TensorData): Uint8Array {
  const out = new Uint8Array(t.values.length * WIDTH[t.type]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.values.length; i++) {
    const v = t.values[i] as number;
    if (t.type === "f32") view.setFloat32(4 * i, v, true);
    else if (t.type === "f64") view.setFloat64(8 * i, v, true);
    else if (t.type === "i32") view.setInt32(4 * i, v, true);
    else if (t.type === "i64") view.setBigInt64(8 * i, BigInt(v), true);
    else view.setUint8(i, v ? 1 : 0);
  }
  return out;
}

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9. */
export const tensorProto = (t: TensorData): Uint8Array[] => [packedInts(1, t.dims), int(2, DATA_TYPE[t.type]), string(8, t.name), bytes(9, rawData(t))];

/** A graph input or output: its name, element type and shape (strings are symbolic dimensions). */
export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly shape: readonly (number | string)[];
}

/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }. */
function valueInfoProto(v: ValueInfo): Uint8Array[] {
  const dims = v.shape.map((d) => message(1, [typeof d === "number" ? int(1, d) : string(2, d)]));
  return [string(1, v.name), message(2, [message(1, [int(1, DATA_TYPE[v.type]), message(2, dims)])])];
}

/** Attribute values: an int, a list of ints, or a tensor. */
export type Attribute = number | readonly number[] | TensorData;

/** AttributeProto: name = 1, i = 3, t = 5, ints = 8, type = 20 (INT = 2, TENSOR = 4, INTS = 7). */
function attributeProto(name: string, a: Attribute): Uint8Array[] {
  if (typeof a === "number") return [string(1, name), int(3, a), int(20, 2)];
  if ("type" in a) return [string(1, name), message(5, tensorProto(a)), int(20, 4)];
  return [string(1, name), ...a.map((n) => int(8, n)), int(20, 7)];
}

/** One operator application. */
export interface Node {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, Attribute>>;
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
function nodeProto(n: Node, index: number): Uint8Array[] {
  const attrs = Object.entries(n.attributes ?? {}).map(([k, a]) => message(5, attributeProto(k, a)));
  return [...n.inputs.map((s) => string(1, s)), ...n.outputs.map((s) => string(2, s)), string(3, `${n.op}_${index}`), string(4, n.op), ...attrs];
}

/** A whole graph with its interface. */
export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly initializers: readonly TensorData[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

/** Model metadata. */
export interface ModelInfo {
  readonly irVersion: number;
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
}

/**
 * The bytes of a ModelProto: ir_version = 1, producer_name = 2, producer_version = 3,
 * doc_string = 6, graph = 7 { node = 1, name = 2, initializer = 5, input = 11, output = 12 },
 * opset_import = 8 { domain = 1, version = 2 }.
 */
export function modelProto(g: Graph, info: ModelInfo): Uint8Array {
  const fields: Uint8Array[] = [
    ...g.nodes.map((n, i) => message(1, nodeProto(n, i))),
    string(2, g.name),
    ...g.initializers.map((t) => message(5, tensorProto(t))),
    ...g.inputs.map((v) => message(11, valueInfoProto(v))),
    ...g.outputs.map((v) => message(12, valueInfoProto(v))),
  ];
  return concatBytes([
    int(1, info.irVersion),
    string(2, info.producerName),
    string(3, info.producerVersion),
    ...(info.docString === undefined ? [] : [string(6, info.docString)]),
    message(7, fields),
    message(8, [string(1, ""), int(2, info.opset)]),
  ]);
}
