import { type Primitive } from "../graph/primitive.js";
import { binary, typedBinary } from "./builders.js";
import { binaryDomain, binaryInfer, mapBinary } from "./elementwise.js";

export const addOp: Primitive<"add", Record<string, never>> = {
  name: "add",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: binaryInfer("add"),
  evaluate: mapBinary((a, b) => a + b),
  // d(a + b) = da + db
  vjp: ({ outGrad }) => [outGrad, outGrad],
  print: { kind: "infix", symbol: "+", latex: "+", prec: 1 },
  domain: binaryDomain({ min: -3, max: 3 }, { min: -3, max: 3 }),
};

/**
 * Elementwise a + b with broadcasting.
 * @example
 * add(input("x", [32, 10]), input("b", [10]));   // Expr<[32, 10]>
 */
export const add = typedBinary<"add">((a, b) => binary(addOp, {}, a, b));
