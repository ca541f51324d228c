import { type Primitive, apply } from "../graph/primitive.js";
import { typedUnary } from "./builders.js";
import { mapUnary, unaryDomain, unaryInfer } from "./elementwise.js";

export const stopGradientOp: Primitive<"stopGradient", Record<string, never>> = {
  name: "stopGradient",
  traits: { role: "alias", cheap: false, splat: "map", differentiable: false },
  infer: unaryInfer("stopGradient", false),
  evaluate: mapUnary((x) => x),
  // The value passes; the gradient is cut here by definition.
  vjp: () => [null],
  print: { kind: "call", name: "stop", latex: "\\operatorname{stop}" },
  domain: unaryDomain(-3, 3),
};

/** The identity, treated as a constant by differentiation (JAX's `stop_gradient`, PyTorch's `detach`). */
export const stopGradient = typedUnary((x) => apply(stopGradientOp, [x], {}));
