// Lowers a core expression graph to ONNX: every node becomes one ONNX operator (a few become two,
// where ONNX splits what core keeps as one primitive), leaves become graph inputs or initializers,
// and symbolic dimensions stay symbolic (`dim_param`), read at run time with Shape where a shape
// operand needs them.
import { type DType, type Dim, type Expr, type OpName, type OpParams, type Shape, type Tensor, isOp, topoSort } from "@typegrad/core";
import { OnnxExportError } from "./errors.js";
import { type Attribute, type ElemType, type Node, type TensorData, type ValueInfo, modelProto } from "./proto.js";

/** The opset the exported graphs use (ONNX 1.16) and the IR version that goes with it. */
export const OPSET = 21;
const IR_VERSION = 10;

/** Options of `exportGraph`. */
export interface ExportGraphOptions {
  /** Values of input leaves that are not graph inputs (parameters), by the leaf's name. */
  readonly initializers?: Readonly<Record<string, Tensor>>;
  /** The graph's name (default "typegrad"). */
  readonly name?: string;
  /** A description stored in the model. */
  readonly docString?: string;
}

/** What a lowering rule can do: name operands, add nodes, and make shape operands. */
interface Emitter {
  /** Adds `op(inputs)` and returns the name of its (single) output. */
  node(op: string, inputs: readonly string[], attributes?: Readonly<Record<string, Attribute>>): string;
  /** An int64 vector initializer. */
  ints(values: readonly number[]): string;
  /** A shape as an int64 vector, with symbolic dimensions read from the graph inputs at run time. */
  shape(shape: Shape): string;
}

/** A rule: the node's ONNX form given the names of its operands, or why there is none. */
type Lowering<K extends OpName> =
  | ((e: Expr & { readonly op: K; readonly params: OpParams[K] }, args: readonly string[], out: Emitter) => string)
  | { readonly unsupported: string };

const ELEM: { readonly [D in DType]: ElemType } = { f32: "f32", f64: "f64", i32: "i32", bool: "bool" };
/** TensorProto.DataType codes, for Cast's `to`. */
const CAST_TO: { readonly [D in DType]: number } = { f32: 1, i32: 6, bool: 9, f64: 11 };

const unary =
  (op: string) =>
  (_e: Expr, [x]: readonly string[], out: Emitter): string =>
    out.node(op, [x as string]);

/**
 * Applies `make` to i32 copies of the bool operands (ONNX defines Pow, Less, Where's values,
 * ReduceSum … on numbers only) and casts a bool result back: nonzero is true, as core rounds.
 */
function viaI32(e: Expr, args: readonly string[], out: Emitter, make: (args: readonly string[]) => string, castBack = e.dtype === "bool"): string {
  const cast = args.map((a, i) => (e.inputs[i]?.dtype === "bool" && !(e.op === "where" && i === 0) ? out.node("Cast", [a], { to: CAST_TO.i32 }) : a));
  if (cast.every((a, i) => a === args[i])) return make(args);
  const y = make(cast);
  return castBack ? out.node("Cast", [y], { to: CAST_TO.bool }) : y;
}

/** A binary op; on bools the logical op core gives it (add is OR, mul is AND), else through i32. */
const binary =
  (op: string, onBool?: string) =>
  (e: Expr, args: readonly string[], out: Emitter): string =>
    e.dtype === "bool" && onBool !== undefined ? out.node(onBool, args) : viaI32(e, args, out, (a) => out.node(op, a));

/** A reduction; bools reduce through i32 (sum and max are both "any"). An empty axis list is the identity (ONNX would read it as "all"). */
function reduce(op: string) {
  return (e: Expr & { readonly params: OpParams["sum"] }, args: readonly string[], out: Emitter): string => {
    const { axes, keepDims } = e.params;
    if (axes.length === 0) return out.node("Identity", args);
    return viaI32(e, args, out, ([x]) => out.node(op, [x as string, out.ints(axes)], { keepdims: keepDims ? 1 : 0 }));
  };
}

const COMPARE: { readonly [K in OpParams["compare"]["kind"]]: string } = { lt: "Less", le: "LessOrEqual", eq: "Equal", ne: "Equal" };

/** Each primitive's ONNX form; typed over the op list, so a new primitive needs an entry here. */
const LOWERINGS: { readonly [K in Exclude<OpName, "input" | "constant">]: Lowering<K> } = {
  neg: unary("Neg"),
  exp: unary("Exp"),
  log: unary("Log"),
  sqrt: unary("Sqrt"),
  reciprocal: unary("Reciprocal"),
  sigmoid: unary("Sigmoid"),
  tanh: unary("Tanh"),
  abs: unary("Abs"),
  sign: unary("Sign"),
  sin: unary("Sin"),
  cos: unary("Cos"),
  stopGradient: unary("Identity"),
  add: binary("Add", "Or"),
  mul: binary("Mul", "And"),
  pow: binary("Pow"),
  maximum: binary("Max", "Or"),
  minimum: binary("Min", "And"),
  compare: (e, args, out) => {
    const y = viaI32(e, args, out, (a) => out.node(COMPARE[e.params.kind], a), false);
    return e.params.kind === "ne" ? out.node("Not", [y]) : y;
  },
  where: (e, args, out) => viaI32(e, args, out, (a) => out.node("Where", a)),
  sum: reduce("ReduceSum"),
  max: reduce("ReduceMax"),
  reshape: (e, [x], out) => out.node("Reshape", [x as string, out.shape(e.params.shape)]),
  broadcast: (e, [x], out) => out.node("Expand", [x as string, out.shape(e.params.shape)]),
  transpose: (e, [x], out) => out.node("Transpose", [x as string], { perm: e.params.perm }),
  slice: (e, [x], out) => {
    const { axis, start, end } = e.params;
    return out.node("Slice", [x as string, out.ints([start]), out.ints([end]), out.ints([axis])]);
  },
  concat: (e, args, out) => out.node("Concat", args, { axis: e.params.axis }),
  take: (e, args, out) => out.node("Gather", args, { axis: e.params.axis }),
  matmul: (_e, args, out) => out.node("MatMul", args),
  cast: (e, [x], out) => out.node("Cast", [x as string], { to: CAST_TO[e.params.dtype] }),
  randomBits: { unsupported: "ONNX has no counter-based (Threefry) random bits; draw the randomness outside and pass it as an input" },
};

/** The names of ops `exportGraph` can lower (every primitive but the leaves and those listed). */
export const supportedOps: readonly OpName[] = (Object.keys(LOWERINGS) as (keyof typeof LOWERINGS)[]).filter((k) => typeof LOWERINGS[k] === "function");

const tensorData = (name: string, t: Tensor): TensorData => ({ name, type: ELEM[t.dtype], dims: t.shape as readonly number[], values: t.data });

/** Where each symbolic dimension can be read: the first graph input and axis that carries it. */
function dimSources(inputs: Readonly<Record<string, Expr>>): Map<string, { input: string; axis: number }> {
  const found = new Map<string, { input: string; axis: number }>();
  for (const [name, x] of Object.entries(inputs))
    x.shape.forEach((d, axis) => {
      if (typeof d === "string" && !found.has(d)) found.set(d, { input: name, axis });
    });
  return found;
}

/**
 * The ONNX model (bytes of a ModelProto, opset 21) computing `outputs` from `inputs`: graph inputs
 * and outputs are named by their keys, symbolic dimensions such as "batch" stay symbolic, input
 * leaves named in `options.initializers` are stored as initializers. Throws OnnxExportError naming
 * the first op without an ONNX counterpart.
 * @example
 * const x = input("x", ["batch", 3]);
 * const w = input("w", [3, 2]);
 * const bytes = exportGraph({ x }, { y: sigmoid(matmul(x, w)) }, { initializers: { w: ones([3, 2]) } });
 */
export function exportGraph(inputs: Readonly<Record<string, Expr>>, outputs: Readonly<Record<string, Expr>>, options: ExportGraphOptions = {}): Uint8Array {
  const { initializers = {}, name = "typegrad" } = options;
  const names = new Map<Expr, string>();
  const inits: TensorData[] = [];
  const nodes: Node[] = [];
  const dims = dimSources(inputs);
  const intCache = new Map<string, string>();
  const shapeCache = new Map<string, string>();
  let counter = 0;
  const fresh = (prefix: string): string => `/${prefix}${counter++}`;

  const out: Emitter = {
    node: (op, args, attributes) => {
      const y = fresh("t");
      nodes.push({ op, inputs: args, outputs: [y], ...(attributes === undefined ? {} : { attributes }) });
      return y;
    },
    ints: (values) => {
      const key = values.join(",");
      const known = intCache.get(key);
      if (known !== undefined) return known;
      const n = fresh("ints");
      inits.push({ name: n, type: "i64", dims: [values.length], values });
      intCache.set(key, n);
      return n;
    },
    shape: (shape) => {
      const key = shape.join(",");
      const known = shapeCache.get(key);
      if (known !== undefined) return known;
      const concrete = shape.every((d) => typeof d === "number");
      const n = concrete ? out.ints(shape) : out.node("Concat", shape.map((d) => (typeof d === "number" ? out.ints([d]) : symbolicDim(d))), { axis: 0 });
      shapeCache.set(key, n);
      return n;
    },
  };
  const symbolicDim = (d: string): string => {
    const src = dims.get(d);
    if (src === undefined) throw new OnnxExportError("exportGraph", `symbolic dimension "${d}" on a graph input`, "none", "a shape operand needs its value at run time");
    return out.node("Shape", [src.input], { start: src.axis, end: src.axis + 1 });
  };

  for (const [key, x] of Object.entries(inputs)) {
    if (!isOp(x, "input")) throw new OnnxExportError("exportGraph", "input leaves as graph inputs", `${x.op} for "${key}"`, "pass the nodes made by input()");
    names.set(x, key);
  }
  // ONNX names every value once: outputs may not reuse the name of an input or a parameter.
  const taken = Object.keys(outputs).find((k) => k in inputs || k in initializers);
  if (taken !== undefined) throw new OnnxExportError("exportGraph", "output names distinct from input and initializer names", `"${taken}" for both`);
  const roots = Object.values(outputs);
  for (const e of topoSort(roots)) {
    if (names.has(e)) continue;
    names.set(e, leafOrNode(e));
  }

  function leafOrNode(e: Expr): string {
    if (isOp(e, "constant")) {
      const n = fresh("const");
      inits.push(tensorData(n, e.params.value));
      return n;
    }
    if (isOp(e, "input")) {
      if (e.params.name in inputs)
        throw new OnnxExportError("exportGraph", `input leaf "${e.params.name}" to be the graph input of that name`, "another leaf of that name", "graph inputs are named by their keys; name the leaves alike");
      const value = initializers[e.params.name];
      if (value === undefined)
        throw new OnnxExportError("exportGraph", `a graph input or an initializer for input leaf "${e.params.name}"`, "neither", "add it to the inputs or to options.initializers");
      if (value.dtype !== e.dtype || value.shape.length !== e.rank || value.shape.some((d, i) => d !== e.shape[i]))
        throw new OnnxExportError("exportGraph", `an initializer "${e.params.name}" of ${e.dtype}[${e.shape.join(",")}]`, `${value.dtype}[${value.shape.join(",")}]`);
      inits.push(tensorData(e.params.name, value));
      return e.params.name;
    }
    const rule = LOWERINGS[e.op as keyof typeof LOWERINGS] as Lowering<OpName>;
    if (typeof rule !== "function")
      throw new OnnxExportError("exportGraph", "primitives with an ONNX counterpart", `${e.op} (${e.dtype}[${e.shape.join(",")}])`, rule.unsupported, e.op);
    return rule(e, e.inputs.map((x) => names.get(x) as string), out);
  }

  // Outputs are renamed with Identity, which also covers an output that is an input or another output.
  const outs: ValueInfo[] = Object.entries(outputs).map(([key, e]) => {
    nodes.push({ op: "Identity", inputs: [names.get(e) as string], outputs: [key] });
    return valueInfo(key, e);
  });
  const ins = Object.entries(inputs).map(([key, x]) => valueInfo(key, x));
  const info = { irVersion: IR_VERSION, opset: OPSET, producerName: "typegrad", producerVersion: "0.1.0" };
  return modelProto({ name, nodes, initializers: inits, inputs: ins, outputs: outs }, options.docString === undefined ? info : { ...info, docString: options.docString });
}

const valueInfo = (name: string, e: Expr): ValueInfo => ({ name, type: ELEM[e.dtype], shape: e.shape as readonly Dim[] });
