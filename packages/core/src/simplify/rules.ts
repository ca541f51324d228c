// The rewrite rules of `simplify`. Each is sound on every input, including ±0, ±∞ and NaN:
// either exact (bit for bit, up to the sign of a zero) or, where said, up to rounding. Rules that
// only hold for finite or positive numbers are deliberately absent: x·0 → 0 (∞·0 = NaN),
// x − x → 0 (∞ − ∞ = NaN), exp(log x) → x (x < 0), log(exp x) → x (eˣ overflows), and
// 1/(1/x) → x (1/x overflows for subnormal x). Moves to the input's own shape need no rule: the
// builders return the input itself, and rules build with them.
import { type Expr, isOp } from "../graph/expr.js";
import { apply } from "../graph/primitive.js";
import { evaluate } from "../graph/evaluate.js";
import { add } from "../ops/add.js";
import { broadcastTo } from "../ops/broadcast.js";
import { constant, scalar } from "../ops/constant.js";
import { type OpName, primitiveOf, primitives, traitsOf } from "../ops/index.js";
import { mul } from "../ops/mul.js";
import { neg } from "../ops/neg.js";
import { reshape } from "../ops/reshape.js";
import { slice } from "../ops/slice.js";
import { sum } from "../ops/sum.js";
import { transpose } from "../ops/transpose.js";
import { isConcrete, sizeOf } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { arg, isCanonicalSplat, splat, splatValue, unmoved } from "./splat.js";

/** A local rewrite of a node whose inputs are already simplified; `undefined` when it does not apply. */
export interface Rule {
  readonly name: string;
  readonly op: OpName;
  readonly rewrite: (e: Expr) => Expr | undefined;
}

/** All-constant nodes up to this many elements (inputs and output) are evaluated. */
const FOLD_LIMIT = 256;

/** The node `e` with other inputs (of the same shapes), same op and params. */
export function rebuild(e: Expr, inputs: readonly Expr[]): Expr {
  return apply(primitiveOf(e), inputs, e.params);
}

/** A splat when every element is equal, else a constant. */
function asConstant(e: Expr, value: Tensor): Expr {
  const c = constant(value);
  const v = splatValue(c);
  return v === undefined ? c : splat(v, e);
}

/**
 * Constant folding with the reference interpreter: an elementwise op or a move of splats gives a
 * splat (of any size, even with symbolic dimensions); any other node of small constant inputs is
 * evaluated. Moves of non-uniform constants stay, as materialising them saves no work.
 */
export function fold(e: Expr): Expr | undefined {
  const { role, splat: kind } = traitsOf(e.op);
  if (role === "leaf") {
    const v = e.rank > 0 ? splatValue(e) : undefined;
    return v === undefined ? undefined : splat(v, e);
  }
  if (isCanonicalSplat(e)) return undefined;
  const values = e.inputs.map(splatValue);
  if (values.every((v) => v !== undefined)) {
    if (kind === "move" && values.every((v) => Object.is(v, values[0]))) return splat(values[0] as number, e);
    if (kind === "map") {
      const scalars = e.inputs.map((x, i) => scalar(values[i] as number, x.dtype));
      return splat(evaluate(rebuild(e, scalars)).item(), e);
    }
  }
  const small = (x: Expr): boolean => isConcrete(x.shape) && sizeOf(x.shape) <= FOLD_LIMIT;
  if (kind === "move" || !small(e) || !e.inputs.every((x) => small(x) && unmoved(x).op === "constant")) return undefined;
  return asConstant(e, evaluate(e));
}

const second = (e: Expr): Expr => e.inputs[1] as Expr;
/** Whether e holds only 0 and 1: a bool cast to a number or entries taken from a mask (one-hots), possibly moved. */
const isMask = (e: Expr): boolean => {
  const c = unmoved(e);
  if (isOp(c, "constant")) return c.params.value.data.every((v) => v === 0 || v === 1);
  return (c.op === "cast" && arg(c).dtype === "bool") || (c.op === "take" && isMask(arg(c)));
};

/** Whether every slice of a constant along `axis` equals the first (so taking any index gives the same), for a non-empty axis. */
function uniformAlong(t: Tensor, axis: number): boolean {
  const shape = t.shape as readonly number[];
  const n = shape[axis] as number;
  const inner = sizeOf(shape.slice(axis + 1));
  const block = n * inner;
  return n > 0 && t.data.every((v, i) => Object.is(v, t.data[i - (i % block) + (i % inner)]));
}

/** The rules for one op with two operands, tried with the operands in both orders (add and mul commute exactly). */
function commuting(op: "add" | "mul", name: string, f: (a: Expr, b: Expr) => Expr | undefined): Rule {
  return { name, op, rewrite: (e) => f(arg(e), second(e)) ?? f(second(e), arg(e)) };
}

/** A move or a sum of a negation is the negation of the move or sum (negation commutes with both). */
const negOut = (op: OpName): Rule => ({
  name: `${op}-of-neg`,
  op,
  rewrite: (e) => (arg(e).op === "neg" ? neg(rebuild(e, [arg(arg(e))])) : undefined),
});

/** Reducing only axes of length 1 drops them: the sum or max of one element is that element (up to the sign of a zero). */
const unitReduce = (op: "sum" | "max"): Rule => ({
  name: `${op}-unit-axes`,
  op,
  rewrite: (e) => (isOp(e, op) && e.params.axes.every((a) => arg(e).shape[a] === 1) ? reshape(arg(e), e.shape) : undefined),
});

/** The rewrite rules, tried in order after constant folding. */
export const rules: readonly Rule[] = [
  // x + 0 = x (−0 + 0 gives +0: equal up to the sign of a zero).
  commuting("add", "add-zero", (a, b) => (splatValue(b) === 0 ? a : undefined)),
  // (−a) + (−b) = −(a + b): round-to-nearest is symmetric under negation.
  { name: "add-neg-neg", op: "add", rewrite: (e) => (arg(e).op === "neg" && second(e).op === "neg" ? neg(add(arg(arg(e)), arg(second(e)))) : undefined) },
  // (−a) + b = b + (−a), which prints as b − a.
  { name: "add-neg-first", op: "add", rewrite: (e) => (arg(e).op === "neg" ? add(second(e), arg(e)) : undefined) },
  // x + x = 2·x exactly: doubling only changes the exponent (and overflows alike).
  { name: "add-self", op: "add", rewrite: (e) => (arg(e) === second(e) ? mul(arg(e), 2) : undefined) },
  // x·1 = x.
  commuting("mul", "mul-one", (a, b) => (splatValue(b) === 1 ? a : undefined)),
  // x·(−1) = −x.
  commuting("mul", "mul-minus-one", (a, b) => (splatValue(b) === -1 ? neg(a) : undefined)),
  // (−a)·b = −(a·b): products are sign-symmetric, so signs gather outside.
  commuting("mul", "mul-neg", (a, b) => (a.op === "neg" ? neg(mul(arg(a), b)) : undefined)),
  // x·(−c) = −(x·c) for a negative constant c (same reason).
  commuting("mul", "mul-negative-constant", (a, b) => {
    const c = splatValue(b);
    return c !== undefined && c < 0 ? neg(mul(a, splat(-c, b))) : undefined;
  }),
  // −(−x) = x.
  { name: "neg-neg", op: "neg", rewrite: (e) => (arg(e).op === "neg" ? arg(arg(e)) : undefined) },
  ...(["broadcast", "reshape", "transpose", "slice", "sum"] as const).map(negOut),
  // broadcast(broadcast(x)) = broadcast(x).
  { name: "broadcast-broadcast", op: "broadcast", rewrite: (e) => (arg(e).op === "broadcast" ? broadcastTo(arg(arg(e)), e.shape) : undefined) },
  // A reshape that only adds leading unit axes is implied by the broadcast after it.
  {
    name: "broadcast-leading-reshape",
    op: "broadcast",
    rewrite: (e) => {
      const r = arg(e);
      if (r.op !== "reshape") return undefined;
      const from = arg(r).shape;
      const lead = r.rank - from.length;
      return lead >= 0 && r.shape.every((d, i) => (i < lead ? d === 1 : d === from[i - lead])) ? broadcastTo(arg(r), e.shape) : undefined;
    },
  },
  // reshape(reshape(x)) = reshape(x): row-major order is kept by both.
  { name: "reshape-reshape", op: "reshape", rewrite: (e) => (arg(e).op === "reshape" ? reshape(arg(arg(e)), e.shape) : undefined) },
  // Two permutations compose into one; the identity permutation disappears.
  {
    name: "transpose-transpose",
    op: "transpose",
    rewrite: (e) => (isOp(e, "transpose") && (arg(e).op === "transpose" || e.params.perm.every((a, i) => a === i)) ? transpose(arg(e), e.params.perm) : undefined),
  },
  unitReduce("sum"),
  unitReduce("max"),
  // Σ(m·c) = (Σm)·c for a 0/1 mask m and a finite constant c: every m·c is exact, so the two differ
  // only by the rounding of the running sum (with c = ±∞, 0·c would be NaN).
  {
    name: "sum-mask-times-constant",
    op: "sum",
    rewrite: (e) => {
      const x = arg(e);
      if (x.op !== "mul") return undefined;
      const pull = (m: Expr, k: Expr): Expr | undefined => {
        const c = splatValue(k);
        return isMask(m) && c !== undefined && Number.isFinite(c) ? mul(rebuild(e, [m]), c) : undefined;
      };
      return pull(arg(x), second(x)) ?? pull(second(x), arg(x));
    },
  },
  // Σ over axes take leaves alone commutes with it: Σ take(c, i) = take(Σ c, i), the same elements
  // summed in the same order for every index (both raise on an index out of range). Only for a
  // constant c, whose sum folds; for a variable table it would sum rows no index picks.
  {
    name: "sum-of-take",
    op: "sum",
    rewrite: (e) => {
      const t = arg(e);
      if (!isOp(e, "sum") || !isOp(t, "take") || unmoved(arg(t)).op !== "constant") return undefined;
      const { axes, keepDims } = e.params;
      const { axis } = t.params;
      const r = second(t).rank;
      if (axes.some((a) => a >= axis && a < axis + r)) return undefined;
      const inner = axes.map((a) => (a < axis ? a : a - r + 1));
      const shift = keepDims ? 0 : axes.filter((a) => a < axis).length;
      return apply(primitives.take, [sum(arg(t), inner, keepDims), second(t)], { axis: axis - shift });
    },
  },
  // take(c, i) with all slices of c along the axis equal is that slice, broadcast over i. Exact
  // wherever take is defined: the rewrite no longer raises on an index out of range.
  {
    name: "take-uniform",
    op: "take",
    rewrite: (e) => {
      const c = arg(e);
      if (!isOp(e, "take")) return undefined;
      const v = splatValue(c);
      if (v !== undefined) return splat(v, e);
      const { axis } = e.params;
      if (!isOp(c, "constant") || !uniformAlong(c.params.value, axis)) return undefined;
      const row = slice(c, axis, 0, 1);
      const units = second(e).shape.map(() => 1);
      return broadcastTo(reshape(row, [...c.shape.slice(0, axis), ...units, ...c.shape.slice(axis + 1)]), e.shape);
    },
  },
  // c ? x : x = x.
  { name: "where-same", op: "where", rewrite: (e) => (second(e) === e.inputs[2] ? second(e) : undefined) },
  // A constant condition picks its branch.
  {
    name: "where-constant",
    op: "where",
    rewrite: (e) => {
      const c = splatValue(arg(e));
      return c === undefined ? undefined : (e.inputs[c ? 1 : 2] as Expr);
    },
  },
  // x¹ = x, and x⁰ = 1 for every x, NaN and ∞ included (as Math.pow defines it).
  {
    name: "pow-zero-one",
    op: "pow",
    rewrite: (e) => {
      const p = splatValue(second(e));
      return p === 1 ? arg(e) : p === 0 ? splat(1, e) : undefined;
    },
  },
];

/** The rules by op, in order. */
export const rulesByOp: ReadonlyMap<OpName, readonly Rule[]> = rules.reduce(
  (m, r) => m.set(r.op, [...(m.get(r.op) ?? []), r]),
  new Map<OpName, readonly Rule[]>(),
);
