import { type Expr, retype } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import type { Shape } from "../shape/shape.js";
import { type DType, allocate, isFloat, roundTo } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

export interface CastParams {
  readonly dtype: DType;
}

export const castOp: Primitive<"cast", CastParams> = {
  name: "cast",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: ([x], p) => ({ shape: (x as Expr).shape, dtype: p.dtype }),
  evaluate: ([x], p, out) => {
    const src = (x as Tensor).data;
    const y = allocate(p.dtype, src.length);
    // Float → int truncates toward zero, as C and PyTorch do.
    for (let i = 0; i < src.length; i++) y[i] = roundTo(p.dtype, p.dtype === "i32" ? Math.trunc(src[i] as number) : (src[i] as number));
    return new Tensor(out.shape, out.dtype, y);
  },
  // Between float types the gradient is cast back; from integers nothing flows.
  vjp: ({ inputs: [x], outGrad }) => [isFloat((x as Expr).dtype) && isFloat(outGrad.dtype) ? cast(outGrad, (x as Expr).dtype) : null],
  print: { kind: "transparent" },
  domain: (s) => ({ inputs: [{ shape: s.shape(0, 3), min: -3, max: 3 }], params: { dtype: s.pick(["f32", "f64"] as const) } }),
};

/**
 * Converts to another dtype (float → i32 truncates; bool is 0 or 1).
 * @example
 * cast(greater(x, 0), "f32");
 */
export function cast<S extends Shape, D extends DType>(x: Expr<S>, dtype: D): Expr<S, D> {
  if (x.dtype === dtype) return retype<S, D>(x);
  return apply(castOp, [x], { dtype }) as Expr<S, D>;
}
