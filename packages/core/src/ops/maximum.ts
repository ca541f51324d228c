import type { Expr } from "../graph/expr.js";
import { type Primitive } from "../graph/primitive.js";
import { binary, typedBinary } from "./builders.js";
import { equal, less } from "./compare.js";
import { binaryDomain, binaryInfer, mapBinary } from "./elementwise.js";
import { mul } from "./mul.js";
import { where } from "./where.js";

/**
 * The gradient of max/min: all of it to the chosen operand, half to each on a tie, and all of it
 * to both when a NaN makes them incomparable, so the NaN shows in the gradient (as PyTorch).
 */
export function choiceGrad(outGrad: Expr, chosen: Expr, other: Expr): Expr {
  return where(less(chosen, other), 0, where(equal(chosen, other), mul(outGrad, 0.5), outGrad));
}

export const maximumOp: Primitive<"maximum", Record<string, never>> = {
  name: "maximum",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: binaryInfer("maximum"),
  evaluate: mapBinary((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b)),
  vjp: ({ inputs: [a, b], outGrad }) => [choiceGrad(outGrad, a as Expr, b as Expr), choiceGrad(outGrad, b as Expr, a as Expr)],
  print: { kind: "call", name: "max", latex: "\\max" },
  domain: binaryDomain({ min: -3, max: 3 }, { min: -3, max: 3 }, true),
};

/** Elementwise maximum with broadcasting (NaN if either is NaN). */
export const maximum = typedBinary<"maximum">((a, b) => binary(maximumOp, {}, a, b));
