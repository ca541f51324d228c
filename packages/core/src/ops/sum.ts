import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import type { Shape } from "../shape/shape.js";
import type { AxesCheck, Reduced } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { broadcastTo } from "./broadcast.js";
import { type ReduceParams, axesSubscript, reduceDomain, reduceInfer, reduceLoop, reduceParams, reducedShape } from "./reduce.js";
import { reshape } from "./reshape.js";

export const sumOp: Primitive<"sum", ReduceParams> = {
  name: "sum",
  traits: { role: "reduce", cheap: false, splat: "none", differentiable: true },
  infer: reduceInfer,
  evaluate: ([x], p, out) => reduceLoop(x as NonNullable<typeof x>, p, out, 0, (a, v) => a + v),
  // Every summed element receives the output's gradient.
  vjp: ({ inputs: [x], outGrad, params }) => {
    const xs = (x as Expr).shape;
    return [broadcastTo(reshape(outGrad, reducedShape(xs, { ...params, keepDims: true })), xs)];
  },
  print: {
    kind: "custom",
    text: ([x], p, [e]) => `Σ${axesSubscript(p.axes, e as Expr)}(${x})`,
    latex: ([x], p, [e]) => `\\sum${p.axes.length === (e as Expr).rank ? "" : `_{${p.axes.join(",")}}`}\\left(${x}\\right)`,
  },
  domain: (s) => reduceDomain(s),
};

/**
 * Sum over `axes` (all by default; negative axes count from the end).
 * @example
 * sum(input("x", [32, 10]), 1);   // Expr<[32]>
 */
export function sum<S extends Shape, D extends DType, const A extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
  x: Expr<S, D>,
  axes?: A & AxesCheck<"sum", S, NonNullable<A>>,
  keepDims?: K,
): Expr<Reduced<S, A, K>, D> {
  return apply(sumOp, [x], reduceParams("sum", x.rank, axes, keepDims ?? false)) as Expr<Reduced<S, A, K>, D>;
}
