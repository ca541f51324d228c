import { type Primitive, apply } from "../graph/primitive.js";
import { mul } from "./mul.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const expOp: Primitive<"exp", Record<string, never>> = {
  name: "exp",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: unaryInfer("exp", true),
  evaluate: mapUnary(Math.exp),
  // d eˣ = eˣ dx
  vjp: ({ out, outGrad }) => [mul(outGrad, out)],
  print: { kind: "call", name: "exp", latex: "\\exp" },
  domain: unaryDomain(-3, 3),
};

/** Elementwise eˣ. */
export const exp = typedUnary<"exp", true>((x) => apply(expOp, [x], {}));
