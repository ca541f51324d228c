import { type Primitive, apply } from "../graph/primitive.js";
import { sub } from "../math/arithmetic.js";
import { mul } from "./mul.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const sigmoidOp: Primitive<"sigmoid", Record<string, never>> = {
  name: "sigmoid",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: unaryInfer("sigmoid", true),
  evaluate: mapUnary((x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))),
  // σ′(x) = σ(x)·(1 − σ(x))
  vjp: ({ out, outGrad }) => [mul(outGrad, mul(out, sub(1, out)))],
  print: { kind: "call", name: "σ", latex: "\\sigma" },
  domain: unaryDomain(-6, 6),
};

/** Elementwise logistic sigmoid 1/(1 + e⁻ˣ), a primitive for stability and printing. */
export const sigmoid = typedUnary<"sigmoid", true>((x) => apply(sigmoidOp, [x], {}));
