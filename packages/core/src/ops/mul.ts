import type { Expr } from "../graph/expr.js";
import { type Primitive } from "../graph/primitive.js";
import { binary, typedBinary } from "./builders.js";
import { binaryDomain, binaryInfer, mapBinary } from "./elementwise.js";

export const mulOp: Primitive<"mul", Record<string, never>> = {
  name: "mul",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: binaryInfer("mul"),
  evaluate: mapBinary((a, b) => a * b),
  // d(a·b) = b·da + a·db
  vjp: ({ inputs: [a, b], outGrad }) => [mul(outGrad, b as Expr), mul(outGrad, a as Expr)],
  print: { kind: "infix", symbol: "·", latex: "\\cdot", prec: 2 },
  domain: binaryDomain({ min: -3, max: 3 }, { min: -3, max: 3 }),
};

/** Elementwise a·b with broadcasting. */
export const mul = typedBinary<"mul">((a, b) => binary(mulOp, {}, a, b));
