// Splats: tensors whose elements all equal one value. `broadcast(scalar c)` is their canonical
// form, so a rule can read "this operand is the constant c" whatever shape it has.
import { type Expr, isOp } from "../graph/expr.js";
import { broadcastTo } from "../ops/broadcast.js";
import { scalar } from "../ops/constant.js";
import { traitsOf } from "../ops/index.js";

/** Whether a node only moves the elements of its one input: applied to a splat it gives a splat of the same value. */
const isMove = (e: Expr): boolean => e.inputs.length === 1 && traitsOf(e.op).splat === "move";

/** The first input of a node that has one. */
export const arg = (e: Expr): Expr => e.inputs[0] as Expr;

/** Strips element moves (broadcast, reshape, transpose, slice, a concat of one) off a node. */
export function unmoved(e: Expr): Expr {
  while (isMove(e)) e = arg(e);
  return e;
}

/** The value every element of `e` equals, when `e` is a constant (or a move of one) holding one repeated value. */
export function splatValue(e: Expr): number | undefined {
  const c = unmoved(e);
  if (!isOp(c, "constant") || c.params.value.size === 0) return undefined;
  const data = c.params.value.data;
  const v = data[0] as number;
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], v)) return undefined;
  return v;
}

/** The canonical splat of `value` with the shape and dtype of `like`. */
export function splat(value: number, like: Expr): Expr {
  return broadcastTo(scalar(value, like.dtype), like.shape);
}

/** Whether `e` is already a canonical splat: a scalar constant, or a broadcast of one. */
export function isCanonicalSplat(e: Expr): boolean {
  const c = e.op === "broadcast" ? arg(e) : e;
  return c.op === "constant" && c.rank === 0;
}
