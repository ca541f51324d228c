// Composites the printer names. A composite has no node of its own (it is built of primitives),
// so the printer recognises its structure and prints the name a reader knows.
import { type Expr, isOp } from "../graph/expr.js";
import { isFloat } from "../tensor/dtype.js";
import { arg } from "../simplify/splat.js";

/** Strips broadcasts, which print as their input. */
export const unbroadcast = (e: Expr): Expr => (e.op === "broadcast" ? unbroadcast(arg(e)) : e);

/** y when e is reshape(y, [...y.shape, 1]), as labels are shaped to meet the classes axis. */
function trailingUnit(e: Expr): Expr | undefined {
  const y = arg(e);
  return e.op === "reshape" && e.rank === y.rank + 1 && e.shape[y.rank] === 1 && y.shape.every((d, i) => d === e.shape[i]) ? y : undefined;
}

/** Whether e is 0, 1, …, n−1 along its last axis (a constant, possibly reshaped or broadcast). */
function isRange(e: Expr): boolean {
  if (e.op === "reshape" || e.op === "broadcast") return e.shape[e.rank - 1] === arg(e).shape[arg(e).rank - 1] && isRange(arg(e));
  return isOp(e, "constant") && e.rank === 1 && Array.from(e.params.value.data).every((v, i) => v === i);
}

/** `onehot(y)`: [y = 0, 1, …, n−1] cast to a float, the classes on a new last axis (as oneHot builds it). */
export function oneHotOf(e: Expr): Expr | undefined {
  if (!isOp(e, "cast") || !isFloat(e.dtype)) return undefined;
  const eq = arg(e);
  if (!isOp(eq, "compare") || eq.params.kind !== "eq") return undefined;
  const [a, b] = eq.inputs.map(unbroadcast) as [Expr, Expr];
  return isRange(b) ? trailingUnit(a) : isRange(a) ? trailingUnit(b) : undefined;
}

/**
 * `softmax(z)` from the factors e and 1/s of a product: e = exp(z − m) with m = max(z) along the
 * axis (often under stopGradient) or no m at all, and s = Σ e along the same axis.
 */
export function softmaxOf(e: Expr, s: Expr): { z: Expr; axis: number } | undefined {
  if (!isOp(s, "sum") || !s.params.keepDims || s.params.axes.length !== 1 || unbroadcast(arg(s)) !== e || e.op !== "exp") return undefined;
  const axis = s.params.axes[0] as number;
  const d = arg(e);
  const [z, t] = d.op === "add" ? (d.inputs as [Expr, Expr]) : [d, undefined];
  const m = t === undefined ? undefined : unbroadcast(t);
  if (m === undefined || m.op !== "neg") return { z: d, axis };
  const mx = unbroadcast(arg(m));
  const max = mx.op === "stopGradient" ? arg(mx) : mx;
  const centred = isOp(max, "max") && arg(max) === z && max.params.axes.length === 1 && max.params.axes[0] === axis;
  return centred ? { z, axis } : { z: d, axis };
}
