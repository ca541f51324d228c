import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type Shape, ShapeError, ValueError, showShape } from "../shape/shape.js";
import type { Mutable } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";

export interface InputParams {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A placeholder leaf, bound to a tensor when a program runs. */
export const inputOp: Primitive<"input", InputParams> = {
  name: "input",
  traits: { role: "leaf", cheap: false, splat: "none", differentiable: true },
  infer: (_inputs, p) => ({ shape: p.shape, dtype: p.dtype }),
  evaluate: () => {
    throw new ValueError("input", "a binding for every input", "an unbound input");
  },
  vjp: () => [],
  print: { kind: "custom", text: (_a, p) => p.name, latex: (_a, p) => p.name },
  domain: () => ({ inputs: [], params: { name: "x", shape: [2], dtype: "f64" } }),
};

/**
 * A named placeholder of a given shape (numbers, or names for symbolic dimensions) and dtype.
 * @example
 * const x = input("x", ["batch", 784]);   // Expr<["batch", 784], "f32">
 */
export function input<const S extends Shape, D extends DType = "f32">(name: string, shape: S, dtype?: D): Expr<Mutable<S>, NoInfer<D>> {
  for (const d of shape) {
    if (typeof d === "number" ? !Number.isInteger(d) || d < 0 : d.length === 0)
      throw new ShapeError("input", "non-negative integers or non-empty names as dimensions", showShape(shape));
  }
  return apply(inputOp, [], { name, shape: [...shape], dtype: dtype ?? "f32" }) as Expr<Mutable<S>, D>;
}
