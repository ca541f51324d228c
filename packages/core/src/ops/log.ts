import { type Primitive, apply } from "../graph/primitive.js";
import type { Expr } from "../graph/expr.js";
import { mul } from "./mul.js";
import { reciprocal } from "./reciprocal.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const logOp: Primitive<"log", Record<string, never>> = {
  name: "log",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: unaryInfer("log", true),
  evaluate: mapUnary(Math.log),
  // d log x = dx / x
  vjp: ({ inputs: [x], outGrad }) => [mul(outGrad, reciprocal(x as Expr))],
  print: { kind: "call", name: "log", latex: "\\log" },
  domain: unaryDomain(0.2, 4),
};

/** Elementwise natural logarithm. */
export const log = typedUnary<"log", true>((x) => apply(logOp, [x], {}));
