import type { Expr } from "../graph/expr.js";
import { div, sub } from "./arithmetic.js";
import { mul } from "../ops/mul.js";
import { reduceParams, reducedShape } from "../ops/reduce.js";
import { sum } from "../ops/sum.js";
import { type Shape, ShapeError, showShape } from "../shape/shape.js";
import type { AxesCheck, Reduced } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";

type Axes = number | readonly number[] | undefined;

/** Number of elements reduced over `axes` (numeric dimensions only). */
function countOf(op: string, x: Expr, axes: Axes): number {
  const { axes: norm } = reduceParams(op, x.rank, axes, false);
  return norm.reduce((n, a) => {
    const d = x.shape[a];
    if (typeof d !== "number") throw new ShapeError(op, "numeric dimensions on the reduced axes", showShape(x.shape), "bind symbolic dimensions or use sum");
    return n * d;
  }, 1);
}

/**
 * Mean over `axes` (all by default).
 * @example
 * mean(input("x", [32, 10]), 0);   // Expr<[10]>
 */
export function mean<S extends Shape, D extends DType, const A extends Axes = undefined, K extends boolean = false>(
  x: Expr<S, D>,
  axes?: A & AxesCheck<"mean", S, NonNullable<A>>,
  keepDims?: K,
): Expr<Reduced<S, A, K>, D> {
  return div(sum(x as Expr, axes, keepDims ?? false), countOf("mean", x, axes)) as Expr<Reduced<S, A, K>, D>;
}

/** Variance over `axes`: biased (÷n) by default, unbiased (÷(n−1)) with `correction: 1`. */
export function variance<S extends Shape, D extends DType, const A extends Axes = undefined, K extends boolean = false>(
  x: Expr<S, D>,
  axes?: A & AxesCheck<"variance", S, NonNullable<A>>,
  keepDims?: K,
  correction = 0,
): Expr<Reduced<S, A, K>, D> {
  const xe: Expr = x;
  const mu = mean(xe, axes, true);
  const d = sub(xe, mu);
  const v = div(sum(mul(d, d), axes, true), countOf("variance", xe, axes) - correction);
  const shape = reducedShape(xe.shape, reduceParams("variance", xe.rank, axes, keepDims ?? false));
  return reshapeTo(v, shape) as Expr<Reduced<S, A, K>, D>;
}

import { reshape } from "../ops/reshape.js";
const reshapeTo = (e: Expr, shape: Shape): Expr => reshape(e, shape);
