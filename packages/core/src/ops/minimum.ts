import type { Expr } from "../graph/expr.js";
import { type Primitive } from "../graph/primitive.js";
import { binary, typedBinary } from "./builders.js";
import { binaryDomain, binaryInfer, mapBinary } from "./elementwise.js";
import { choiceGrad } from "./maximum.js";
import { neg } from "./neg.js";

export const minimumOp: Primitive<"minimum", Record<string, never>> = {
  name: "minimum",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: binaryInfer("minimum"),
  evaluate: mapBinary((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b)),
  // min(a, b) = −max(−a, −b): the chosen operand is the smaller one.
  vjp: ({ inputs: [a, b], outGrad }) => [
    choiceGrad(outGrad, neg(a as Expr), neg(b as Expr)),
    choiceGrad(outGrad, neg(b as Expr), neg(a as Expr)),
  ],
  print: { kind: "call", name: "min", latex: "\\min" },
  domain: binaryDomain({ min: -3, max: 3 }, { min: -3, max: 3 }, true),
};

/** Elementwise minimum with broadcasting (NaN if either is NaN). */
export const minimum = typedBinary<"minimum">((a, b) => binary(minimumOp, {}, a, b));
