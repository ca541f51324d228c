import { type Expr, retype } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type ConcreteShape, type Dim, type Shape, ShapeError, sameShape, showShape, stridesOf } from "../shape/shape.js";
import type { BroadcastToCheck, Mutable } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { readStrided } from "./elementwise.js";
import { reshape } from "./reshape.js";
import { sum } from "./sum.js";

export interface BroadcastParams {
  readonly shape: Shape;
}

/** Axes of `to` that broadcasting expands from `from` (leading new axes and 1 → n). */
export function expandedAxes(from: Shape, to: Shape): number[] {
  const lead = to.length - from.length;
  return to.map((_, i) => i).filter((i) => i < lead || (from[i - lead] === 1 && to[i] !== 1));
}

export const broadcastOp: Primitive<"broadcast", BroadcastParams> = {
  name: "broadcast",
  traits: { role: "view", cheap: false, splat: "move", differentiable: true },
  infer: ([x], p) => {
    const from = (x as Expr).shape;
    const lead = p.shape.length - from.length;
    const ok = lead >= 0 && from.every((d, i) => d === 1 || d === p.shape[i + lead]);
    if (!ok)
      throw new ShapeError(
        "broadcast",
        `a shape that ${showShape(from)} broadcasts to (each dimension equal, or 1)`,
        showShape(p.shape),
        "dimensions align from the right",
      );
    return { shape: p.shape, dtype: (x as Expr).dtype };
  },
  evaluate: ([x], _p, out) => {
    const src = x as Tensor;
    const from = src.shape as ConcreteShape;
    const lead = out.shape.length - from.length;
    const fromStrides = stridesOf(from);
    // Stride 0 along expanded axes: every output coordinate reads the one input element.
    const strides = out.shape.map((_, i) => (i < lead || from[i - lead] === 1 ? 0 : (fromStrides[i - lead] as number)));
    return readStrided(src, strides, out);
  },
  // Un-broadcasting: sum the gradient over the expanded axes, then drop the leading ones.
  vjp: ({ inputs: [x], outGrad, params }) => {
    const from = (x as Expr).shape;
    const axes = expandedAxes(from, params.shape);
    return [reshape(axes.length ? sum(outGrad, axes, true) : outGrad, from)];
  },
  print: { kind: "transparent" },
  domain: (s) => {
    const shape = s.shape(0, 2);
    const to = [s.int(1, 3), ...shape.map((d) => (d === 1 ? s.int(1, 3) : d))];
    return { inputs: [{ shape, min: -3, max: 3 }], params: { shape: to } };
  },
};

/**
 * Broadcasts x to `shape` (numpy rules: align from the right; 1 expands).
 * @example
 * broadcastTo(input("b", [10]), [32, 10]);
 */
export function broadcastTo<S extends Shape, D extends DType, const T extends Shape>(x: Expr<S, D>, shape: T & BroadcastToCheck<S, T>): Expr<Mutable<T>, D> {
  const target: readonly Dim[] = shape;
  if (sameShape(x.shape, target)) return retype<Mutable<T>, D>(x);
  return apply(broadcastOp, [x], { shape: [...target] }) as Expr<Mutable<T>, D>;
}
