import { type Primitive, apply } from "../graph/primitive.js";
import { mul } from "./mul.js";
import { reciprocal } from "./reciprocal.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const sqrtOp: Primitive<"sqrt", Record<string, never>> = {
  name: "sqrt",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: unaryInfer("sqrt", true),
  evaluate: mapUnary(Math.sqrt),
  // d √x = dx / (2√x)
  vjp: ({ out, outGrad }) => [mul(outGrad, mul(reciprocal(out), 0.5))],
  print: { kind: "custom", text: ([x]) => `√(${x})`, latex: ([x]) => `\\sqrt{${x}}` },
  domain: unaryDomain(0.2, 4),
};

/** Elementwise square root. */
export const sqrt = typedUnary<"sqrt", true>((x) => apply(sqrtOp, [x], {}));
