import type { Expr } from "../graph/expr.js";
import { broadcastTo } from "../ops/broadcast.js";
import { scalar } from "../ops/constant.js";
import { mul } from "../ops/mul.js";
import { reduceParams } from "../ops/reduce.js";
import { sum } from "../ops/sum.js";
import { type Shape, guard } from "../shape/shape.js";
import type { AxesCheck, Reduced } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { div, sub } from "./arithmetic.js";

type Axes = number | readonly number[] | undefined;

/**
 * How many elements a reduction over `axes` sums: a number when those dimensions are numeric,
 * otherwise the count as an expression (Σ of ones), bound with the symbolic dimensions at run time.
 */
function countOf(op: string, x: Expr, axes: Axes, keepDims: boolean): number | Expr {
  const { axes: norm } = reduceParams(op, x.rank, axes, false);
  const dims = norm.map((a) => x.shape[a]);
  if (dims.every((d): d is number => typeof d === "number")) return dims.reduce((n, d) => n * d, 1);
  return sum(broadcastTo(scalar(1, x.dtype), x.shape), axes, keepDims);
}

const divBy = (s: Expr, n: number | Expr): Expr => (typeof n === "number" ? div(s, n) : div(s, n));

/**
 * Mean over `axes` (all by default); symbolic dimensions such as "batch" are counted at run time.
 * @example
 * mean(input("x", [32, 10]), 0);   // Expr<[10]>
 */
export function mean<S extends Shape, D extends DType, const A extends Axes = undefined, K extends boolean = false>(
  x: Expr<S, D>,
  axes?: A & AxesCheck<"mean", S, NonNullable<A>>,
  keepDims?: K,
): Expr<Reduced<S, A, K>, D> {
  const keep = keepDims ?? false;
  return guard("mean", () => divBy(sum(x as Expr, axes, keep), countOf("mean", x, axes, keep))) as Expr<Reduced<S, A, K>, D>;
}

/** Variance over `axes`: biased (÷n) by default, unbiased (÷(n−1)) with `correction: 1`. */
export function variance<S extends Shape, D extends DType, const A extends Axes = undefined, K extends boolean = false>(
  x: Expr<S, D>,
  axes?: A & AxesCheck<"variance", S, NonNullable<A>>,
  keepDims?: K,
  correction = 0,
): Expr<Reduced<S, A, K>, D> {
  const xe: Expr = x;
  const keep = keepDims ?? false;
  return guard("variance", () => {
    const d = sub(xe, mean(xe, axes, true));
    const n = countOf("variance", xe, axes, keep);
    return divBy(sum(mul(d, d), axes, keep), typeof n === "number" ? n - correction : sub(n, correction));
  }) as Expr<Reduced<S, A, K>, D>;
}
