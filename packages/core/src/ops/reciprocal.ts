import { type Primitive, apply } from "../graph/primitive.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const reciprocalOp: Primitive<"reciprocal", Record<string, never>> = {
  name: "reciprocal",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: unaryInfer("reciprocal", true),
  evaluate: mapUnary((x) => 1 / x),
  // d(1/x) = −dx / x²
  vjp: ({ out, outGrad }) => [neg(mul(outGrad, mul(out, out)))],
  print: {
    kind: "custom",
    text: ([x]) => `1/${x}`,
    latex: ([x]) => `\\frac{1}{${x}}`,
  },
  domain: unaryDomain(0.3, 3),
};

/** Elementwise 1/x. */
export const reciprocal = typedUnary<"reciprocal", true>((x) => apply(reciprocalOp, [x], {}));
