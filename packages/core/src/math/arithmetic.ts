// Arithmetic composites: no rules of their own, their gradients come from the primitives.
import { addOp } from "../ops/add.js";
import { binary, typedBinary, typedUnary } from "../ops/builders.js";
import { mul, mulOp } from "../ops/mul.js";
import { neg } from "../ops/neg.js";
import { reciprocal } from "../ops/reciprocal.js";
import { guard } from "../shape/shape.js";

/** Elementwise a − b with broadcasting: a + (−b). */
export const sub = typedBinary<"sub">((a, b) => guard("sub", () => binary(addOp, {}, a, typeof b === "number" ? -b : neg(b))));

/** Elementwise a / b with broadcasting: a · (1/b). */
export const div = typedBinary<"div">((a, b) => guard("div", () => binary(mulOp, {}, a, typeof b === "number" ? 1 / b : reciprocal(b))));

/** Elementwise x². */
export const square = typedUnary((x) => guard("square", () => mul(x, x)));
