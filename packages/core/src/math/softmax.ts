import { type Expr, retype } from "../graph/expr.js";
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
import { take } from "../ops/take.js";
import { checkExpr } from "../graph/check.js";
import { type Shape, ShapeError, ValueError, guard, normalizeAxis } from "../shape/shape.js";
import type { AxesCheck, FloatInput, Reduced } from "../shape/types.js";
import type { DType, FloatDType } from "../tensor/dtype.js";
import { Tensor, eye } from "../tensor/tensor.js";
import { div, sub } from "./arithmetic.js";

/**
 * log Σ eˣ along `axis`, stable for any magnitude: m + log Σ e^(x−m) with m = max x held constant
 * (the result does not depend on m, so its gradient need not flow through it).
 */
export function logSumExp<S extends Shape, D extends DType, const A extends number = -1, K extends boolean = false>(
  x: Expr<S, D> & FloatInput<"logSumExp", S, D>,
  axis?: A & AxesCheck<"logSumExp", S, A>,
  keepDims?: K,
): Expr<Reduced<S, A, K>, D> {
  const [xe, ax]: [Expr, number] = [x, axis ?? -1];
  return guard("logSumExp", () => {
    const a = normalizeAxis("logSumExp", ax, xe.rank);
    const m = stopGradient(max(xe, ax, true));
    const lse = add(log(sum(exp(sub(xe, m)), ax, true)), m);
    return keepDims ? lse : reshape(lse, xe.shape.filter((_, i) => i !== a));
  }) as Expr<Reduced<S, A, K>, D>;
}

/** x − logSumExp(x) along `axis`: log-probabilities from logits. */
export function logSoftmax<S extends Shape, D extends DType, const A extends number = -1>(x: Expr<S, D> & FloatInput<"logSoftmax", S, D>, axis?: A & AxesCheck<"logSoftmax", S, A>): Expr<S, D> {
  const [xe, ax]: [Expr, number] = [x, axis ?? -1];
  return retype<S, D>(guard("logSoftmax", () => sub(xe, logSumExp(xe, ax, true))));
}

/** e^(x−m) / Σ e^(x−m) along `axis`: probabilities from logits. */
export function softmax<S extends Shape, D extends DType, const A extends number = -1>(x: Expr<S, D> & FloatInput<"softmax", S, D>, axis?: A & AxesCheck<"softmax", S, A>): Expr<S, D> {
  const [xe, ax]: [Expr, number] = [x, axis ?? -1];
  return retype<S, D>(
    guard("softmax", () => {
      const e = exp(sub(xe, stopGradient(max(xe, ax, true))));
      return div(e, sum(e, ax, true));
    }),
  );
}

/** Above this many classes oneHot compares instead of indexing an identity table. */
const ONE_HOT_TABLE_LIMIT = 1024;

/**
 * One-hot encoding of integer labels: shape [...labels.shape, classes], row `y` of the identity
 * (as `take(eye(classes), labels, 0)`), so a label outside [0, classes) is an error and every row
 * sums to 1. `op` is the name its errors report (a composite built on it passes its own).
 * @example
 * oneHot(input("y", ["batch"], "i32"), 10);   // Expr<["batch", 10], "f32">
 */
export function oneHot<S extends Shape, const C extends number, D extends FloatDType = "f32">(labels: Expr<S, "i32">, classes: C, dtype?: D, op = "oneHot"): Expr<[...S, C], D> {
  if (!Number.isInteger(classes) || classes < 1) throw new ShapeError(op, "a positive integer number of classes", String(classes));
  checkExpr(labels, op, "labels");
  const l: Expr<Shape, "i32"> = labels;
  if (l.dtype !== "i32") throw new ValueError(op, "integer (i32) class labels", `${l.dtype} labels`, `cast(labels, "i32") if they hold class indices`);
  const d = dtype ?? "f32";
  if (classes > ONE_HOT_TABLE_LIMIT) {
    // An identity table would hold classes² elements: compare with 0…classes−1 instead (a label
    // out of range then gives a zero row rather than an error).
    const ids = constant(new Tensor([classes], "i32", Int32Array.from({ length: classes }, (_, i) => i)));
    return cast(equal(reshape(l, [...l.shape, 1]), ids), d) as Expr<[...S, C], D>;
  }
  return take(constant(eye(classes, classes, d)), l, 0, op) as Expr<[...S, C], D>;
}
