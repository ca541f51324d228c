// Typed front doors shared by the elementwise ops: lifting numbers to constants and broadcasting
// operands to one shape before the primitive node is made. Factories are function declarations,
// so op modules can call them while the (cyclic) op modules load.
import type { Expr } from "../graph/expr.js";
import { checkExpr } from "../graph/check.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type Shape, ValueError, broadcastShapes, sameShape } from "../shape/shape.js";
import type { BinaryCheck, BinaryShape, FloatInput, JointDType, OperandDType } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { broadcastTo } from "./broadcast.js";
import { scalar } from "./constant.js";
import type { OpName, OpParams } from "./index.js";

/** A unary elementwise function: same shape and dtype out; a float-only one refuses i32/bool in the types. */
export type UnaryFn<Op extends string = string, Float extends boolean = false> = <S extends Shape, D extends DType>(
  x: Expr<S, D> & (Float extends true ? FloatInput<Op, S, D> : unknown),
) => Expr<S, D>;

/**
 * A binary elementwise function with numpy broadcasting; numbers take the other operand's dtype.
 * One signature over whole operands: a mistake is reported on the second operand as a
 * `ShapeMismatch` naming the op and both shapes (or dtypes), and equal shapes (even generic ones)
 * or a number operand resolve without computing a broadcast.
 */
export type BinaryFn<Op extends string, R extends DType | "same" = "same"> = <X extends Expr | number, Y extends Expr | number>(
  a: X,
  b: Y & BinaryCheck<Op, X, Y>,
) => Expr<BinaryShape<X, Y>, R extends DType ? R : JointDType<OperandDType<X>, OperandDType<Y>>>;

/** Number or expression, as elementwise ops accept. */
export type Operand = Expr | number;

/** Lifts numbers to scalars of the other operand's dtype and broadcasts both to one shape. */
export function align(op: string, a: Operand, b: Operand): [Expr, Expr] {
  if (typeof a === "number" && typeof b === "number") throw new ValueError(op, "at least one expression operand", "two numbers");
  if (typeof a !== "number") checkExpr(a, op, "operand 1");
  if (typeof b !== "number") checkExpr(b, op, "operand 2");
  const x = typeof a === "number" ? scalar(a, (b as Expr).dtype) : a;
  const y = typeof b === "number" ? scalar(b, x.dtype) : b;
  if (sameShape(x.shape, y.shape)) return [x, y];
  const shape = broadcastShapes(op, x.shape, y.shape);
  return [broadcastTo(x, shape), broadcastTo(y, shape)];
}

/** Builds `prim(a, b)` after aligning the operands. */
export function binary<N extends OpName>(prim: Primitive<N, OpParams[N]>, params: OpParams[N], a: Operand, b: Operand): Expr {
  return apply(prim, align(prim.name, a, b), params);
}

/** Wraps an implementation as a typed binary function (the result type is the overloads' to give). */
export function typedBinary<Op extends string, R extends DType | "same" = "same">(impl: (a: Operand, b: Operand) => Expr): BinaryFn<Op, R> {
  return impl as BinaryFn<Op, R>;
}

/** Wraps a unary implementation as a typed unary function (`Float`: float inputs only, as its shape rule says). */
export function typedUnary<Op extends string = string, Float extends boolean = false>(impl: (x: Expr) => Expr): UnaryFn<Op, Float> {
  return impl as UnaryFn<Op, Float>;
}
