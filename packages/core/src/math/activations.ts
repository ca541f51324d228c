// Activations as composites: their gradients come from the primitives they are built of.
import { type Expr, retype } from "../graph/expr.js";
import { typedUnary } from "../ops/builders.js";
import { greater } from "../ops/compare.js";
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
import type { Shape } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";

/** max(x, 0), with gradient 0 at x = 0 (as PyTorch). */
export const relu = typedUnary((x) => where(greater(x, 0), x, 0));

/** x for x > 0, αx otherwise. */
export function leakyRelu<S extends Shape, D extends DType>(x: Expr<S, D>, alpha = 0.01): Expr<S, D> {
  const xe: Expr = x;
  return retype<S, D>(where(greater(xe, 0), xe, mul(xe, alpha)));
}

/**
 * log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^(−|x|)); like PyTorch it returns x
 * itself above `threshold` (20), where the two agree to double precision anyway.
 */
export function softplus<S extends Shape, D extends DType>(x: Expr<S, D>, threshold = 20): Expr<S, D> {
  const xe: Expr = x;
  const smooth = add(maximum(xe, 0), log(add(exp(neg(abs(xe))), 1)));
  return retype<S, D>(where(greater(xe, threshold), xe, smooth));
}

/** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export const gelu = typedUnary((x) => {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
});

/** Clamps to [lo, hi]. */
export function clip<S extends Shape, D extends DType>(x: Expr<S, D>, lo: number, hi: number): Expr<S, D> {
  const xe: Expr = x;
  return minimum(maximum(xe, lo), hi) as Expr<S, D>;
}
