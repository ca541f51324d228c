// Activations as composites: their gradients come from the primitives they are built of.
import { type Expr, retype } from "../graph/expr.js";
import { typedUnary } from "../ops/builders.js";
import { equal, greater, lessEqual } from "../ops/compare.js";
import { abs } from "../ops/abs.js";
import { add } from "../ops/add.js";
import { exp } from "../ops/exp.js";
import { log } from "../ops/log.js";
import { maximum } from "../ops/maximum.js";
import { minimum } from "../ops/minimum.js";
import { mul } from "../ops/mul.js";
import { neg } from "../ops/neg.js";
import { tanh } from "../ops/tanh.js";
import { where } from "../ops/where.js";
import { type Shape, guard } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import { div, sub } from "./arithmetic.js";

/** max(x, 0), with gradient 0 at x = 0 and NaN kept NaN (as PyTorch). */
export const relu = typedUnary((x) => guard("relu", () => where(lessEqual(x, 0), 0, x)));

/** x for x > 0, αx otherwise. */
export function leakyRelu<S extends Shape, D extends DType>(x: Expr<S, D>, alpha = 0.01): Expr<S, D> {
  const xe: Expr = x;
  return retype<S, D>(guard("leakyRelu", () => where(greater(xe, 0), xe, mul(xe, alpha))));
}

/**
 * log(1 + x), accurate for tiny x where 1 + x rounds to 1: with w = 1 + x (rounded),
 * log1p(x) = x · log(w) / (w − 1), and x itself when w = 1 (Goldberg's form; the rounding of w
 * cancels between log(w) and w − 1). The divisor is kept away from 0, so gradients stay finite.
 */
export const log1p = typedUnary((x) =>
  guard("log1p", () => {
    const w = add(x, 1);
    const exact = equal(w, 1);
    return where(exact, x, div(mul(x, log(w)), where(exact, 1, sub(w, 1))));
  }),
);

/**
 * log(1 + eˣ) as max(x, 0) + log1p(e^(−|x|)), accurate to the last bits for very negative x too
 * (softplus(−40) = 4.25e−18); like PyTorch it returns x itself above `threshold` (20), where the
 * two agree to double precision anyway.
 */
export function softplus<S extends Shape, D extends DType>(x: Expr<S, D>, threshold = 20): Expr<S, D> {
  const xe: Expr = x;
  return retype<S, D>(guard("softplus", () => where(greater(xe, threshold), xe, add(maximum(xe, 0), log1p(exp(neg(abs(xe))))))));
}

/** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export const gelu = typedUnary((x) =>
  guard("gelu", () => {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }),
);

/** Clamps to [lo, hi]. */
export function clip<S extends Shape, D extends DType>(x: Expr<S, D>, lo: number, hi: number): Expr<S, D> {
  const xe: Expr = x;
  return guard("clip", () => minimum(maximum(xe, lo), hi)) as Expr<S, D>;
}
