import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import type { Shape } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor, full } from "../tensor/tensor.js";

export interface ConstantParams {
  readonly value: Tensor;
}

/** Constants up to this size are interned by value, larger ones by tensor identity. */
const VALUE_KEY_LIMIT = 16;

const showNumber = (x: number): string => (Object.is(x, -0) ? "-0" : Number.isNaN(x) ? "NaN" : String(x));

/** A leaf holding a tensor. */
export const constantOp: Primitive<"constant", ConstantParams> = {
  name: "constant",
  infer: (_inputs, p) => ({ shape: p.value.shape, dtype: p.value.dtype }),
  evaluate: (_inputs, p) => p.value,
  vjp: () => [],
  print: {
    kind: "custom",
    text: (_a, p) => (p.value.size === 1 ? showNumber(p.value.data[0] as number) : `const${p.value.dtype}[${p.value.shape.join(",")}]`),
    latex: (_a, p) => (p.value.size === 1 ? showNumber(p.value.data[0] as number) : `C_{${p.value.id}}`),
  },
  domain: () => ({ inputs: [], params: { value: full([2], 1.5, "f64") } }),
  paramsKey: ({ value: t }) =>
    t.size <= VALUE_KEY_LIMIT
      ? `${t.dtype}[${t.shape.join(",")}]${Array.from(t.data, showNumber).join(",")}`
      : `#${t.id}`,
};

/**
 * Embeds a tensor, or a number as a scalar of `dtype` (f32 by default), in a graph.
 * @example
 * const two = constant(2, "f64");
 */
export function constant<S extends Shape, D extends DType>(value: Tensor<S, D>): Expr<S, D>;
export function constant<D extends DType = "f32">(value: number, dtype?: D): Expr<[], D>;
export function constant(value: Tensor | number, dtype: DType = "f32"): Expr {
  return apply(constantOp, [], { value: typeof value === "number" ? full([], value, dtype) : value });
}

/** A scalar constant of `dtype`. */
export function scalar<D extends DType>(value: number, dtype: D): Expr<[], D> {
  return constant(value, dtype);
}
