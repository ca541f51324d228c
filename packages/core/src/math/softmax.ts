import type { Expr } from "../graph/expr.js";
import { add } from "../ops/add.js";
import { cast } from "../ops/cast.js";
import { equal } from "../ops/compare.js";
import { constant } from "../ops/constant.js";
import { exp } from "../ops/exp.js";
import { log } from "../ops/log.js";
import { max } from "../ops/max.js";
import { reshape } from "../ops/reshape.js";
import { stopGradient } from "../ops/stopGradient.js";
import { sum } from "../ops/sum.js";
import { type Shape, ShapeError, normalizeAxis } from "../shape/shape.js";
import type { AxesCheck, Reduced } from "../shape/types.js";
import type { FloatDType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { div, sub } from "./arithmetic.js";

/**
 * log Σ eˣ along `axis`, stable for any magnitude: m + log Σ e^(x−m) with m = max x held constant
 * (the result does not depend on m, so its gradient need not flow through it).
 */
export function logSumExp<S extends Shape, D extends FloatDType, const A extends number = -1, K extends boolean = false>(
  x: Expr<S, D>,
  axis?: A & AxesCheck<"logSumExp", S, A>,
  keepDims?: K,
): Expr<Reduced<S, A, K>, D> {
  const [xe, ax]: [Expr, number] = [x, axis ?? -1];
  const m = stopGradient(max(xe, ax, true));
  const lse = add(log(sum(exp(sub(xe, m)), ax, true)), m);
  const a = normalizeAxis("logSumExp", ax, xe.rank);
  return (keepDims ? lse : reshape(lse, xe.shape.filter((_, i) => i !== a))) as Expr<Reduced<S, A, K>, D>;
}

/** x − logSumExp(x) along `axis`: log-probabilities from logits. */
export function logSoftmax<S extends Shape, D extends FloatDType, const A extends number = -1>(x: Expr<S, D>, axis?: A & AxesCheck<"logSoftmax", S, A>): Expr<S, D> {
  const [xe, ax]: [Expr<Shape, D>, number] = [x, axis ?? -1];
  return sub(xe, logSumExp(xe, ax, true)) as Expr<S, D>;
}

/** e^(x−m) / Σ e^(x−m) along `axis`: probabilities from logits. */
export function softmax<S extends Shape, D extends FloatDType, const A extends number = -1>(x: Expr<S, D>, axis?: A & AxesCheck<"softmax", S, A>): Expr<S, D> {
  const [xe, ax]: [Expr, number] = [x, axis ?? -1];
  const e = exp(sub(xe, stopGradient(max(xe, ax, true))));
  return div(e, sum(e, ax, true)) as Expr<S, D>;
}

/**
 * One-hot encoding of integer labels: shape [...labels.shape, classes], 1 at each label.
 * @example
 * oneHot(input("y", ["batch"], "i32"), 10);   // Expr<["batch", 10], "f32">
 */
export function oneHot<S extends Shape, const C extends number, D extends FloatDType = "f32">(labels: Expr<S, "i32">, classes: C, dtype?: D): Expr<[...S, C], D> {
  if (!Number.isInteger(classes) || classes < 1) throw new ShapeError("oneHot", "a positive integer number of classes", String(classes));
  const ids = constant(new Tensor([classes], "i32", Int32Array.from({ length: classes }, (_, i) => i)));
  const l: Expr = labels;
  return cast(equal(reshape(l, [...l.shape, 1]), ids), dtype ?? "f32") as Expr<[...S, C], D>;
}
