import { type Shape, ShapeError, ValueError, showShape } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { type Expr, isOp } from "./expr.js";
import { inputsOf } from "./topo.js";

/** Tensors for named inputs: a record by input name, or a map by input node. */
export type Bindings = Readonly<Record<string, Tensor>> | ReadonlyMap<Expr, Tensor>;

/** Binds each input to its tensor, checking dtype and shape and binding symbolic dimensions. */
export function bindInputs(roots: readonly Expr[], bindings: Bindings, op = "evaluate"): { values: Map<Expr, Tensor>; dims: Map<string, number> } {
  const inputs = inputsOf(roots);
  const values = new Map<Expr, Tensor>();
  const dims = new Map<string, number>();
  const lookup = (name: string, node: Expr): Tensor | undefined => (bindings instanceof Map ? bindings.get(node) : (bindings as Record<string, Tensor>)[name]);
  if (!(bindings instanceof Map)) {
    const extra = Object.keys(bindings).filter((k) => !inputs.has(k));
    if (extra.length)
      throw new ValueError(
        op,
        `bindings for the inputs ${[...inputs.keys()].map((k) => `"${k}"`).join(", ") || "(none)"}`,
        `extra ${extra.map((k) => `"${k}"`).join(", ")}`,
        "check the names; if no output depends on them (a gradient constant in x no longer contains x), remove them or pass a Map keyed by input nodes, which may hold extras",
      );
  } else {
    // Extra entries of a Map are allowed; they still bind symbolic dimensions (a constant
    // gradient of shape ["batch", 3] gets its batch size from the input it was taken for).
    for (const [node, t] of bindings) if (isOp(node, "input")) bindDims(op, node.params.name, node.shape, t.shape, dims);
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

