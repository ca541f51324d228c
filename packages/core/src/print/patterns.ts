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

/** Whether e is the constant identity matrix. */
function isIdentity(e: Expr): boolean {
  if (!isOp(e, "constant") || e.rank !== 2 || e.shape[0] !== e.shape[1]) return false;
  const n = e.shape[0] as number;
  return e.params.value.data.every((v, i) => v === (i % (n + 1) === 0 ? 1 : 0));
}

/**
 * `onehot(y)`, the labels y, in either form with the classes on a new last axis: rows of the
 * identity, take(eye, y, 0) (as oneHot builds it), or [y = 0, 1, …, n−1] cast to a float (as
 * take's gradient builds its mask).
 */
export function oneHotOf(e: Expr): Expr | undefined {
  if (isOp(e, "take")) return e.params.axis === 0 && isIdentity(arg(e)) ? (e.inputs[1] as Expr) : undefined;
  if (!isOp(e, "cast") || !isFloat(e.dtype)) return undefined;
  const eq = arg(e);
  if (!isOp(eq, "compare") || eq.params.kind !== "eq") return undefined;
  const [a, b] = eq.inputs.map(unbroadcast) as [Expr, Expr];
  return isRange(b) ? trailingUnit(a) : isRange(a) ? trailingUnit(b) : undefined;
}

/** z when m is max(z) along `axis` alone, possibly under stopGradient (as the stable composites hold it constant). */
function maxOf(m: Expr, axis: number): Expr | undefined {
  const mx = m.op === "stopGradient" ? arg(m) : m;
  return isOp(mx, "max") && mx.params.axes.length === 1 && mx.params.axes[0] === axis ? arg(mx) : undefined;
}

/** z and m when d is z − m, m = max(z) along `axis` broadcast back (the centring of the stable composites). */
function centred(d: Expr, axis: number): { z: Expr; m: Expr } | undefined {
  if (d.op !== "add") return undefined;
  const [z, t] = d.inputs as [Expr, Expr];
  const n = unbroadcast(t);
  const m = n.op === "neg" ? unbroadcast(arg(n)) : undefined;
  return m !== undefined && maxOf(m, axis) === z ? { z, m } : undefined;
}

/**
 * `softmax(z)` from the factors e and 1/s of a product: e = exp(z − m) with m = max(z) along the
 * axis (often under stopGradient) or no m at all, and s = Σ e along the same axis.
 */
export function softmaxOf(e: Expr, s: Expr): { z: Expr; axis: number } | undefined {
  if (!isOp(s, "sum") || !s.params.keepDims || s.params.axes.length !== 1 || unbroadcast(arg(s)) !== e || e.op !== "exp") return undefined;
  const axis = s.params.axes[0] as number;
  return { z: centred(arg(e), axis)?.z ?? arg(e), axis };
}

/** `logsumexp(z)` in its stable form log(Σ exp(z − m)) + m, with m = max(z) along the summed axis. */
export function logSumExpOf(e: Expr): { z: Expr; axis: number } | undefined {
  if (e.op !== "add") return undefined;
  const [a, b] = e.inputs.map(unbroadcast) as [Expr, Expr];
  const s = a.op === "log" ? arg(a) : undefined;
  if (s === undefined || !isOp(s, "sum") || s.params.axes.length !== 1 || arg(s).op !== "exp") return undefined;
  const axis = s.params.axes[0] as number;
  const c = centred(arg(arg(s)), axis);
  return c !== undefined && c.m === b ? { z: c.z, axis } : undefined;
}
