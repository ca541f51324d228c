import { type Primitive, apply } from "../graph/primitive.js";
import type { Expr } from "../graph/expr.js";
import { cos } from "./cos.js";
import { mul } from "./mul.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const sinOp: Primitive<"sin", Record<string, never>> = {
  name: "sin",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: unaryInfer("sin", true),
  evaluate: mapUnary(Math.sin),
  // d sin x = cos x dx
  vjp: ({ inputs: [x], outGrad }) => [mul(outGrad, cos(x as Expr))],
  print: { kind: "call", name: "sin", latex: "\\sin" },
  domain: unaryDomain(-4, 4),
};

/** Elementwise sine. */
export const sin = typedUnary<"sin", true>((x) => apply(sinOp, [x], {}));
