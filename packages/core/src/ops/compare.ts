import type { Expr } from "../graph/expr.js";
import { type Primitive } from "../graph/primitive.js";
import { type Operand, binary, typedBinary } from "./builders.js";
import { binaryDomain, binaryInfer, mapBinary } from "./elementwise.js";

export interface CompareParams {
  readonly kind: "lt" | "le" | "eq" | "ne";
}

const TESTS = {
  lt: (a: number, b: number) => a < b,
  le: (a: number, b: number) => a <= b,
  eq: (a: number, b: number) => a === b,
  ne: (a: number, b: number) => a !== b,
} as const;
const SYMBOLS = { lt: ["<", "<"], le: ["≤", "\\le"], eq: ["=", "="], ne: ["≠", "\\ne"] } as const;

export const compareOp: Primitive<"compare", CompareParams> = {
  name: "compare",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: false },
  infer: binaryInfer("compare", "bool"),
  evaluate: (inputs, p, out) => mapBinary((a, b) => (TESTS[p.kind](a, b) ? 1 : 0))(inputs, p, out),
  // A comparison is piecewise constant: no gradient flows through it.
  vjp: () => [null, null],
  print: {
    kind: "custom",
    text: ([a, b], p) => `(${a} ${SYMBOLS[p.kind][0]} ${b})`,
    latex: ([a, b], p) => `(${a} ${SYMBOLS[p.kind][1]} ${b})`,
  },
  domain: (s) => ({ ...binaryDomain({ min: -3, max: 3 }, { min: -3, max: 3 })(s), params: { kind: s.pick(["lt", "le", "eq", "ne"] as const) } }),
};

const compare = (kind: CompareParams["kind"], a: Operand, b: Operand): Expr => binary(compareOp, { kind }, a, b);

/** Elementwise a < b, as bool. */
export const less = typedBinary<"less", "bool">((a, b) => compare("lt", a, b));
/** Elementwise a ≤ b, as bool. */
export const lessEqual = typedBinary<"lessEqual", "bool">((a, b) => compare("le", a, b));
/** Elementwise a > b, as bool. */
export const greater = typedBinary<"greater", "bool">((a, b) => compare("lt", b, a));
/** Elementwise a ≥ b, as bool. */
export const greaterEqual = typedBinary<"greaterEqual", "bool">((a, b) => compare("le", b, a));
/** Elementwise a = b, as bool. */
export const equal = typedBinary<"equal", "bool">((a, b) => compare("eq", a, b));
/** Elementwise a ≠ b, as bool. */
export const notEqual = typedBinary<"notEqual", "bool">((a, b) => compare("ne", a, b));
