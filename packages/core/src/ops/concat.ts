import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { ShapeError, ValueError, normalizeAxis, showShape, sizeOf } from "../shape/shape.js";
import type { ConcatCheck, Concatenated } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { allocate } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { copyRange, slice } from "./slice.js";

export interface ConcatParams {
  readonly axis: number;
}

export const concatOp: Primitive<"concat", ConcatParams> = {
  name: "concat",
  traits: { role: "kernel", cheap: false, splat: "move", differentiable: true },
  infer: (xs, p) => {
    const first = xs[0] as Expr;
    let total = 0;
    for (const x of xs) {
      const d = x.shape[p.axis];
      const offAxisOk = x.rank === first.rank && x.shape.every((n, i) => i === p.axis || n === first.shape[i]);
      if (!offAxisOk)
        throw new ShapeError(
          "concat",
          `shapes equal off axis ${p.axis}`,
          xs.map((e) => showShape(e.shape)).join(", "),
          "only the concatenated axis may differ",
        );
      if (typeof d !== "number") throw new ShapeError("concat", "numeric dimensions on the concatenated axis", `"${String(d)}"`);
      if (x.dtype !== first.dtype) throw new ValueError("concat", "inputs of one dtype", xs.map((e) => e.dtype).join(", "));
      total += d;
    }
    return { shape: first.shape.map((d, i) => (i === p.axis ? total : d)), dtype: first.dtype };
  },
  evaluate: (xs, p, out) => {
    const y = new Tensor(out.shape, out.dtype, allocate(out.dtype, sizeOf(out.shape)));
    let at = 0;
    for (const x of xs) {
      const n = x.shape[p.axis] as number;
      copyRange(x, p.axis, 0, n, y, at);
      at += n;
    }
    return y;
  },
  // Each input gets its own range of the gradient.
  vjp: ({ inputs, outGrad, params: p }) => {
    let at = 0;
    return inputs.map((x) => {
      const n = x.shape[p.axis] as number;
      at += n;
      return slice(outGrad, p.axis, at - n, at);
    });
  },
  print: { kind: "custom", text: (args, p) => `concat([${args.join(", ")}], ${p.axis})`, latex: (args) => `\\left[${args.join(",")}\\right]` },
  domain: (s) => {
    const shape = s.shape(1, 3);
    const axis = s.int(0, shape.length - 1);
    const n = s.int(2, 3);
    const inputs = Array.from({ length: n }, () => ({ shape: shape.map((d, i) => (i === axis ? s.int(1, 3) : d)), min: -3, max: 3 }));
    return { inputs, params: { axis } };
  },
};

/** The operands' dtype. */
type DTypeOf<Xs extends readonly Expr[]> = Xs[number] extends { readonly dtype: infer D extends DType } ? D : DType;

/**
 * Joins expressions along `axis`; other dimensions must be equal. With a literal tuple of typed
 * operands and a literal axis, the compiler checks the other dimensions and sums the axis.
 * @example
 * concat([input("a", [2, 3]), input("b", [4, 3])], 0);   // Expr<[6, 3]>
 */
export function concat<const Xs extends readonly Expr[], const A extends number = 0>(xs: ConcatCheck<Xs, A> & Xs, axis?: A): Expr<Concatenated<Xs, A>, DTypeOf<Xs>>;
export function concat(xs: readonly Expr[], axis = 0): Expr {
  const first = xs[0];
  if (first === undefined) throw new ValueError("concat", "at least one input", "none");
  if (xs.length === 1) return first;
  return apply(concatOp, xs, { axis: normalizeAxis("concat", axis, first.rank) });
}
