import { type Primitive, apply } from "../graph/primitive.js";
import { sub } from "../math/arithmetic.js";
import { mul } from "./mul.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const tanhOp: Primitive<"tanh", Record<string, never>> = {
  name: "tanh",
  traits: { role: "elementwise", cheap: false, splat: "map", differentiable: true },
  infer: unaryInfer("tanh", true),
  evaluate: mapUnary(Math.tanh),
  // tanh′(x) = 1 − tanh²(x)
  vjp: ({ out, outGrad }) => [mul(outGrad, sub(1, mul(out, out)))],
  print: { kind: "call", name: "tanh", latex: "\\tanh" },
  domain: unaryDomain(-4, 4),
};

/** Elementwise hyperbolic tangent. */
export const tanh = typedUnary<"tanh", true>((x) => apply(tanhOp, [x], {}));
