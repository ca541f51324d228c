// Arithmetic composites: no rules of their own, their gradients come from the primitives.
import type { Expr } from "../graph/expr.js";
import { add } from "../ops/add.js";
import { typedBinary, typedUnary } from "../ops/builders.js";
import { mul } from "../ops/mul.js";
import { neg } from "../ops/neg.js";
import { reciprocal } from "../ops/reciprocal.js";

/** Elementwise a − b with broadcasting (a + (−b)). */
export const sub = typedBinary<"sub">((a, b) => (typeof b === "number" ? add(a as Expr, -b) : typeof a === "number" ? add(neg(b), a) : add(a, neg(b))));

/** Elementwise a / b with broadcasting (a · 1/b). */
export const div = typedBinary<"div">((a, b) => (typeof b === "number" ? mul(a as Expr, 1 / b) : typeof a === "number" ? mul(reciprocal(b), a) : mul(a, reciprocal(b))));

/** Elementwise x². */
export const square = typedUnary((x) => mul(x, x));
