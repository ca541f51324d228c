import { type Primitive, apply } from "../graph/primitive.js";

import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const negOp: Primitive<"neg", Record<string, never>> = {
  name: "neg",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: unaryInfer("neg", false),
  evaluate: mapUnary((x) => -x),
  // d(−x) = −dx
  vjp: ({ outGrad }) => [neg(outGrad)],
  print: { kind: "prefix", symbol: "−", latex: "-", prec: 1 },
  domain: unaryDomain(-3, 3),
};

/** Elementwise −x. */
export const neg = typedUnary((x) => apply(negOp, [x], {}));
