import { type Primitive, apply } from "../graph/primitive.js";
import type { Expr } from "../graph/expr.js";
import { mul } from "./mul.js";
import { sign } from "./sign.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const absOp: Primitive<"abs", Record<string, never>> = {
  name: "abs",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: unaryInfer("abs", false),
  evaluate: mapUnary(Math.abs),
  // d|x| = sign(x) dx
  vjp: ({ inputs: [x], outGrad }) => [mul(outGrad, sign(x as Expr))],
  print: { kind: "custom", text: ([x]) => `|${x}|`, latex: ([x]) => `\\left|${x}\\right|` },
  domain: unaryDomain(-3, 3, [0]),
};

/** Elementwise absolute value. */
export const abs = typedUnary((x) => apply(absOp, [x], {}));
