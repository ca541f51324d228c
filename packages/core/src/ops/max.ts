import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import type { Shape } from "../shape/shape.js";
import type { AxesCheck, Reduced } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { broadcastTo } from "./broadcast.js";
import { cast } from "./cast.js";
import { equal } from "./compare.js";
import { mul } from "./mul.js";
import { reciprocal } from "./reciprocal.js";
import { type ReduceParams, axesSubscript, reduceDomain, reduceInfer, reduceLoop, reduceParams, reducedShape } from "./reduce.js";
import { reshape } from "./reshape.js";
import { sum } from "./sum.js";
import { where } from "./where.js";

export const maxOp: Primitive<"max", ReduceParams> = {
  name: "max",
  traits: { role: "reduce", cheap: false, splat: "none", differentiable: true },
  infer: reduceInfer,
  evaluate: ([x], p, out) =>
    reduceLoop(x as NonNullable<typeof x>, p, out, -Infinity, (a, v) => (Number.isNaN(a) || Number.isNaN(v) ? NaN : a > v ? a : v)),
  // The gradient goes to the maximal elements, shared evenly among ties (as PyTorch's amax).
  vjp: ({ inputs: [x], out, outGrad, params }) => {
    const xe = x as Expr;
    const kept = reducedShape(xe.shape, { ...params, keepDims: true });
    const spread = (e: Expr): Expr => broadcastTo(reshape(e, kept), xe.shape);
    const isMax = equal(xe, spread(out));
    const count = sum(cast(isMax, xe.dtype), params.axes, true);
    return [where(isMax, spread(mul(reshape(outGrad, kept), reciprocal(count))), 0)];
  },
  print: {
    kind: "custom",
    text: ([x], p, [e]) => `max${axesSubscript(p.axes, e as Expr)}(${x})`,
    latex: ([x], p, [e]) => `\\max${p.axes.length === (e as Expr).rank ? "" : `_{${p.axes.join(",")}}`}\\left(${x}\\right)`,
  },
  domain: (s) => reduceDomain(s, true),
};

/** Maximum over `axes` (all by default). NaN propagates. */
export function max<S extends Shape, D extends DType, const A extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
  x: Expr<S, D>,
  axes?: A & AxesCheck<"max", S, NonNullable<A>>,
  keepDims?: K,
): Expr<Reduced<S, A, K>, D> {
  return apply(maxOp, [x], reduceParams("max", x.rank, axes, keepDims ?? false)) as Expr<Reduced<S, A, K>, D>;
}
