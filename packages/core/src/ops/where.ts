import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type Dim, type Shape, ShapeError, ValueError, broadcastShapes, sameShape, showShape } from "../shape/shape.js";
import type { Broadcast, BroadcastCheck, DTypeAgree, DTypeCheck, JointDType, OperandDType, OperandShape, ShapeMismatch } from "../shape/types.js";
import { allocate } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastTo } from "./broadcast.js";
import type { Operand } from "./builders.js";
import { scalar } from "./constant.js";

export const whereOp: Primitive<"where", Record<string, never>> = {
  name: "where",
  traits: { role: "elementwise", cheap: true, splat: "map", differentiable: true },
  infer: (inputs) => {
    const [c, a, b] = inputs as [Expr, Expr, Expr];
    if (c.dtype !== "bool") throw new ValueError("where", "a bool condition", c.dtype, "make it with a comparison such as greater(x, 0)");
    if (!sameShape(a.shape, b.shape) || !sameShape(c.shape, a.shape))
      throw new ShapeError("where", "operands of one shape", [c, a, b].map((x) => showShape(x.shape)).join(", "));
    if (a.dtype !== b.dtype) throw new ValueError("where", "branches of one dtype", `${a.dtype} and ${b.dtype}`);
    return { shape: a.shape, dtype: a.dtype };
  },
  evaluate: ([c, a, b], _p, out) => {
    const y = allocate(out.dtype, (a as Tensor).size);
    const [cd, ad, bd] = [(c as Tensor).data, (a as Tensor).data, (b as Tensor).data];
    for (let i = 0; i < y.length; i++) y[i] = (cd[i] ? ad[i] : bd[i]) as number;
    return new Tensor(out.shape, out.dtype, y);
  },
  // The gradient follows the branch that was taken.
  vjp: ({ inputs: [c], outGrad, wants }) => [
    null,
    wants[1] ? where(c as Expr<Shape, "bool">, outGrad, 0) : null,
    wants[2] ? where(c as Expr<Shape, "bool">, 0, outGrad) : null,
  ],
  print: {
    kind: "custom",
    text: ([c, a, b]) => `${c} ? ${a} : ${b}`,
    latex: ([c, a, b]) => `\\begin{cases}${a} & ${c}\\\\ ${b} & \\text{otherwise}\\end{cases}`,
    prec: 0,
  },
  domain: (s) => {
    const shape = s.shape(0, 3);
    return {
      inputs: [
        { shape, dtype: "bool" },
        { shape, min: -3, max: 3 },
        { shape, min: -3, max: 3 },
      ],
      params: {},
    };
  },
};

type Pair<A, B> = [A, B];
/** Two shapes joined by broadcasting, as a Shape: equal ones (a type parameter with itself included) stay as they are. */
type Joint<A extends Shape, B extends Shape> = Pair<A, B> extends Pair<B, A> ? A : Broadcast<A, B> extends infer S extends Shape ? S : Dim[];

/** The result's shape: cond's joined with each expression branch's (a number takes the others'). */
type WhereShape<C extends Shape, X, Y> = Y extends number
  ? Joint<C, OperandShape<X>>
  : X extends number
    ? Joint<C, OperandShape<Y>>
    : Joint<Joint<C, OperandShape<X>>, OperandShape<Y>>;

/** `unknown` when the branches fit: not both numbers, one dtype, and b broadcasts with cond and a. */
type BranchCheck<C extends Shape, X, Y> = [X, Y] extends [number, number]
  ? ShapeMismatch<"where: expected at least one expression branch, got two numbers">
  : Y extends number
    ? unknown
    : X extends number
      ? BroadcastCheck<"where", C, OperandShape<Y>>
      : DTypeAgree<OperandDType<X>, OperandDType<Y>> extends true
        ? BroadcastCheck<"where", Joint<C, OperandShape<X>>, OperandShape<Y>>
        : DTypeCheck<"where", X, Y>;

/**
 * Elementwise `cond ? a : b` with broadcasting; numbers take the other branch's dtype.
 * @example
 * const relu = where(greater(x, 0), x, 0);
 */
export function where<C extends Shape, X extends Expr | number, Y extends Expr | number>(
  cond: Expr<C, "bool">,
  a: X & BroadcastCheck<"where", C, OperandShape<X>>,
  b: Y & BranchCheck<C, X, Y>,
): Expr<WhereShape<C, X, Y>, JointDType<OperandDType<X>, OperandDType<Y>>>;
export function where(cond: Expr, a: Operand, b: Operand): Expr {
  if (typeof a === "number" && typeof b === "number") throw new ValueError("where", "at least one expression branch", "two numbers");
  const x = typeof a === "number" ? scalar(a, (b as Expr).dtype) : a;
  const y = typeof b === "number" ? scalar(b, x.dtype) : b;
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape), y.shape);
  const fit = (e: Expr): Expr => (sameShape(e.shape, shape) ? e : broadcastTo(e, shape));
  return apply(whereOp, [fit(cond), fit(x), fit(y)], {});
}
