import { type Primitive, apply } from "../graph/primitive.js";

import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const signOp: Primitive<"sign", Record<string, never>> = {
  name: "sign",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: unaryInfer("sign", false),
  evaluate: mapUnary((x) => (x > 0 ? 1 : x < 0 ? -1 : x)),
  // Piecewise constant: the derivative is 0 wherever it exists.
  vjp: () => [null],
  print: { kind: "call", name: "sign", latex: "\\operatorname{sign}" },
  domain: unaryDomain(-3, 3, [0]),
};

/** Elementwise sign: −1, 0 or 1 (NaN stays NaN). */
export const sign = typedUnary((x) => apply(signOp, [x], {}));
