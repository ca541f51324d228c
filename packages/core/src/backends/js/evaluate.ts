import { type Expr, isOp } from "../../graph/expr.js";
import { inputsOf, topoSort } from "../../graph/topo.js";
import { primitives } from "../../ops/index.js";
import type { OpName, OpParams } from "../../ops/index.js";
import type { Primitive } from "../../graph/primitive.js";
import { type Shape, ShapeError, ValueError, bindShape, showShape } from "../../shape/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Tensors for named inputs: a record by input name, or a map by input node. */
export type Bindings = Readonly<Record<string, Tensor>> | ReadonlyMap<Expr, Tensor>;

/** The value an expression evaluates to: a tensor of its shape and dtype. */
export type ValueOf<E> = E extends Expr<infer S, infer D> ? Tensor<S, D> : never;

/** Binds each input to its tensor, checking dtype and shape and binding symbolic dimensions. */
export function bindInputs(roots: readonly Expr[], bindings: Bindings, op = "evaluate"): { values: Map<Expr, Tensor>; dims: Map<string, number> } {
  const inputs = inputsOf(roots);
  const values = new Map<Expr, Tensor>();
  const dims = new Map<string, number>();
  const lookup = (name: string, node: Expr): Tensor | undefined => (bindings instanceof Map ? bindings.get(node) : (bindings as Record<string, Tensor>)[name]);
  if (!(bindings instanceof Map)) {
    const extra = Object.keys(bindings).filter((k) => !inputs.has(k));
    if (extra.length) throw new ValueError(op, `bindings for the inputs ${[...inputs.keys()].map((k) => `"${k}"`).join(", ") || "(none)"}`, `extra ${extra.map((k) => `"${k}"`).join(", ")}`, "remove them or check the names");
  }
  for (const [name, node] of inputs) {
    const t = lookup(name, node);
    if (t === undefined) throw new ValueError(op, `a tensor for input "${name}"`, "none", `pass { ${name}: tensor } in the bindings`);
    if (t.dtype !== node.dtype) throw new ValueError(op, `input "${name}" of dtype ${node.dtype}`, t.dtype);
    bindDims(op, name, node.shape, t.shape, dims);
    values.set(node, t);
  }
  return { values, dims };
}

function bindDims(op: string, name: string, declared: Shape, actual: Shape, dims: Map<string, number>): void {
  const fail = (): never => {
    throw new ShapeError(op, `input "${name}" of shape ${showShape(declared)}`, showShape(actual), "symbolic dimensions must be bound consistently");
  };
  if (declared.length !== actual.length) fail();
  declared.forEach((d, i) => {
    const a = actual[i] as number;
    if (typeof d === "number") {
      if (d !== a) fail();
    } else {
      const bound = dims.get(d);
      if (bound !== undefined && bound !== a) fail();
      dims.set(d, a);
    }
  });
}

function run<K extends OpName>(prim: Primitive<K, OpParams[K]>, e: Expr, args: readonly Tensor[], params: OpParams[K], dims: ReadonlyMap<string, number>): Tensor {
  return prim.evaluate(args, params, { shape: bindShape(e.shape, dims, e.op), dtype: e.dtype });
}

/** Evaluates one node whose inputs are evaluated, with its primitive's reference evaluator. */
function evaluateNode(e: Expr, args: readonly Tensor[], dims: ReadonlyMap<string, number>): Tensor {
  const prim = primitives[e.op] as Primitive<OpName, OpParams[OpName]>;
  return run(prim, e, args, e.params, dims);
}

/**
 * The reference interpreter: evaluates expressions in plain JavaScript, each op in double
 * precision and rounded to its dtype.
 * @example
 * const x = input("x", [3], "f64");
 * evaluate(sum(mul(x, x)), { x: tensor([1, 2, 3], { dtype: "f64" }) }).item();   // 14
 */
export function evaluate<E extends Expr>(output: E, bindings?: Bindings): ValueOf<E>;
export function evaluate<const E extends readonly Expr[]>(outputs: E, bindings?: Bindings): { [K in keyof E]: ValueOf<E[K]> };
export function evaluate(outputs: Expr | readonly Expr[], bindings: Bindings = {}): Tensor | Tensor[] {
  const roots = outputs instanceof Array ? outputs : [outputs as Expr];
  const { values, dims } = bindInputs(roots, bindings);
  for (const e of topoSort(roots)) {
    if (values.has(e)) continue;
    if (isOp(e, "input")) throw new ValueError("evaluate", `a tensor for input "${e.params.name}"`, "none");
    values.set(e, evaluateNode(e, e.inputs.map((x) => values.get(x) as Tensor), dims));
  }
  const results = roots.map((r) => values.get(r) as Tensor);
  return outputs instanceof Array ? results : (results[0] as Tensor);
}
