import { type Primitive, apply } from "../graph/primitive.js";
import type { Expr } from "../graph/expr.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { sin } from "./sin.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const cosOp: Primitive<"cos", Record<string, never>> = {
  name: "cos",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: unaryInfer("cos", true),
  evaluate: mapUnary(Math.cos),
  // d cos x = −sin x dx
  vjp: ({ inputs: [x], outGrad }) => [neg(mul(outGrad, sin(x as Expr)))],
  print: { kind: "call", name: "cos", latex: "\\cos" },
  domain: unaryDomain(-4, 4),
};

/** Elementwise cosine. */
export const cos = typedUnary<"cos", true>((x) => apply(cosOp, [x], {}));
