// Random draws inside graphs: composites over `randomBits`, so a compiled program makes its own
// masks and noise from a key input and a run is reproducible from the seed.
import type { Expr } from "../graph/expr.js";
import { div } from "../math/arithmetic.js";
import { add } from "../ops/add.js";
import { cast } from "../ops/cast.js";
import { less, lessEqual } from "../ops/compare.js";
import { cos } from "../ops/cos.js";
import { log } from "../ops/log.js";
import { minimum } from "../ops/minimum.js";
import { mul } from "../ops/mul.js";
import { neg } from "../ops/neg.js";
import { randomBits } from "../ops/randomBits.js";
import { slice } from "../ops/slice.js";
import { reshape } from "../ops/reshape.js";
import { sqrt } from "../ops/sqrt.js";
import type { Shape } from "../shape/shape.js";
import type { Mutable } from "../shape/types.js";
import type { FloatDType } from "../tensor/dtype.js";

type KeyExpr = Expr<Shape, "i32">;

/** Uniform in [0, 1) as f64: a signed 32-bit word w maps exactly to w·2⁻³² + ½. */
function unit(key: KeyExpr, shape: Shape): Expr {
  return add(mul(cast(randomBits(key, shape), "f64"), 2 ** -32), 0.5);
}

/**
 * Uniform samples in [0, 1) from a key (an i32 [2] expression, usually an input).
 * @example
 * const k = input("key", [2], "i32");
 * const noise = uniform(k, [32, 10]);
 */
export function uniform<const S extends Shape, D extends FloatDType = "f32">(key: KeyExpr, shape: S, dtype?: D): Expr<Mutable<S>, D> {
  const u = unit(key, shape);
  // Rounding to f32 could give 1; the largest f32 below 1 keeps the interval half-open.
  return (dtype === "f64" ? u : minimum(cast(u, "f32"), 1 - 2 ** -24)) as Expr<Mutable<S>, D>;
}

/** Standard normal samples by the Box–Muller transform (computed in f64). */
export function normal<const S extends Shape, D extends FloatDType = "f32">(key: KeyExpr, shape: S, dtype?: D): Expr<Mutable<S>, D> {
  const u = unit(key, [2, ...shape]);
  const u1 = reshape(slice(u, 0, 0, 1), shape);
  const u2 = reshape(slice(u, 0, 1, 2), shape);
  // 1 − u1 ∈ (0, 1], so the logarithm is finite.
  const r = sqrt(mul(log(add(neg(u1), 1)), -2));
  const z = mul(r, cos(mul(u2, 2 * Math.PI)));
  return cast(z, dtype ?? "f32") as Expr<Mutable<S>, D>;
}

/**
 * Bernoulli draws: true with probability p. The test u < p on u = w·2⁻³² + ½ is done on the word w
 * itself, exactly: w < ⌈(p − ½)·2³²⌉. Integer arithmetic keeps masks in 32-bit kernels.
 */
export function bernoulli<const S extends Shape>(key: KeyExpr, p: number, shape: S): Expr<Mutable<S>, "bool"> {
  const bits = randomBits(key, shape);
  // p·2³² − 2³¹ is exact in f64 for p in [0, 1].
  const threshold = Math.ceil(p * 2 ** 32 - 2 ** 31);
  if (threshold > 2 ** 31 - 1) return lessEqual(bits, 2 ** 31 - 1) as Expr<Mutable<S>, "bool">;
  return less(bits, Number.isNaN(threshold) ? -(2 ** 31) : Math.max(threshold, -(2 ** 31))) as Expr<Mutable<S>, "bool">;
}

/** Inverted dropout of x with rate p: kept units are scaled by 1/(1−p), so the expectation is unchanged. */
export function dropoutMask<const S extends Shape, D extends FloatDType>(key: KeyExpr, p: number, shape: S, dtype: D): Expr<Mutable<S>, D> {
  return div(cast(bernoulli(key, 1 - p, shape), dtype), 1 - p) as Expr<Mutable<S>, D>;
}
