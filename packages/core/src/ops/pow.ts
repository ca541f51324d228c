import type { Expr } from "../graph/expr.js";
import { type Primitive } from "../graph/primitive.js";
import { sub } from "../math/arithmetic.js";
import { binary, typedBinary } from "./builders.js";
import { binaryDomain, binaryInfer, mapBinary } from "./elementwise.js";
import { log } from "./log.js";
import { mul } from "./mul.js";

export const powOp: Primitive<"pow", Record<string, never>> = {
  name: "pow",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: binaryInfer("pow"),
  evaluate: mapBinary(Math.pow),
  // ∂aᵇ/∂a = b·aᵇ⁻¹,  ∂aᵇ/∂b = aᵇ·log a
  vjp: ({ inputs: [a, b], out, outGrad, wants }) => [
    wants[0] ? mul(outGrad, mul(b as Expr, pow(a as Expr, sub(b as Expr, 1)))) : null,
    wants[1] ? mul(outGrad, mul(out, log(a as Expr))) : null,
  ],
  print: { kind: "infix", symbol: "^", latex: "^", prec: 3 },
  domain: binaryDomain({ min: 0.5, max: 2 }, { min: -2, max: 2 }),
};

/** Elementwise aᵇ with broadcasting. */
export const pow = typedBinary<"pow">((a, b) => binary(powOp, {}, a, b));
