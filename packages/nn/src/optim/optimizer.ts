// Optimisers as pure { init, update } pairs over parameter trees. `update` builds graph nodes from
// core ops, so a whole training step (loss, gradients, update) is one graph and compiles into one
// program; the new parameters and moments can then be written in place of the old (donation).
import { type ConcreteShape, type Expr, type FloatDType, ValueError, add, cast, full, mul, scalar, type Tensor } from "@typegrad/core";
import { type Params, type Tree, type Vars, flatten, leaf, mapTree, subtree, unflatten } from "../tree.js";
import type { Schedule } from "./schedules.js";

/** A learning rate: a constant or a schedule of the step index. */
export type LearningRate = number | Schedule;

/**
 * An optimiser's state for parameters P: a `step` counter and, per slot K (PyTorch's names such
 * as `exp_avg`), a tree shaped like P.
 */
export type OptState<K extends string, P extends Params> = { step: Tensor<[], "i32"> } & { [S in K]: P };

/** An optimiser with state slots K: its state from the parameters, and one update step as a graph. */
export interface Optimizer<K extends string = string> {
  /** The initial state: a `step` counter (i32) and moment trees shaped like the parameters. */
  readonly init: <P extends Params>(params: P) => OptState<K, P>;
  /** The updated parameters and state, given gradients shaped like the parameters. */
  readonly update: (grads: Vars, state: Vars, params: Vars) => { readonly params: Vars; readonly state: Vars };
}

/** Zeros shaped like every parameter. */
export const zerosLike = <P extends Params>(params: P): P => mapTree(params, (t: Tensor) => full(t.shape as ConcreteShape, 0, t.dtype)) as P;

/**
 * The float dtype of a parameter tree (that of its first leaf); `empty` for a tree without
 * parameters, else an error naming `op`.
 */
export function dtypeOf(params: Vars | Params, op = "optimizer", empty?: FloatDType): FloatDType {
  const first = Object.values(flatten<Tree>(params))[0];
  if (first === undefined && empty !== undefined) return empty;
  if (first === undefined) throw new ValueError(op, "at least one parameter", "an empty tree");
  if (first.dtype !== "f32" && first.dtype !== "f64") throw new ValueError(op, "float parameters", first.dtype);
  return first.dtype;
}

/**
 * The step counter after this update (1 on the first), as i32 for the state and as f64 for the
 * scalar formulas (bias corrections, schedules): PyTorch computes those in double precision and
 * rounds them once to the parameters' dtype, and so do the optimisers here.
 */
export function nextStep(state: Vars): { count: Expr; t: Expr } {
  const count = add(leaf(state, "step", "optimizer"), 1);
  return { count, t: cast(count, "f64") };
}

/** The learning rate (f64) of the update whose 1-based index is t (schedules see the 0-based index). */
export function rateAt(lr: LearningRate, t: Expr): Expr {
  return typeof lr === "number" ? scalar(lr, t.dtype) : lr(add(t, -1));
}

/** g + λ·p (L2 weight decay folded into the gradient, as PyTorch's `weight_decay`). */
export const withDecay = (g: Expr, p: Expr, weightDecay: number): Expr => (weightDecay === 0 ? g : add(g, mul(p, weightDecay)));

/**
 * Applies `f` to every parameter with its gradient and its slot in each moment tree, and
 * reassembles the trees. Moment trees are named like PyTorch's optimiser state (`exp_avg`, …).
 */
export function perParam<K extends string>(
  params: Vars,
  grads: Vars,
  state: Vars,
  slots: readonly K[],
  f: (p: Expr, g: Expr, moments: Record<K, Expr>) => { readonly param: Expr; readonly moments: Record<K, Expr> },
): { params: Vars; moments: Record<K, Vars> } {
  const flatGrads = flatten(grads);
  const flatSlots = slots.map((k) => flatten(subtree(state, k)));
  const newParams: Record<string, Expr> = {};
  const newSlots = slots.map(() => ({}) as Record<string, Expr>);
  for (const [path, p] of Object.entries(flatten(params))) {
    const g = flatGrads[path];
    if (g === undefined) throw new ValueError("optimizer", `a gradient for "${path}"`, "none", "grads must have the parameters' structure");
    const moments = {} as Record<K, Expr>;
    slots.forEach((k, i) => {
      const m = flatSlots[i]?.[path];
      if (m === undefined) throw new ValueError("optimizer", `state "${k}.${path}"`, "none", "make the state with this optimiser's init");
      moments[k] = m;
    });
    const r = f(p, g, moments);
    newParams[path] = r.param;
    slots.forEach((k, i) => ((newSlots[i] as Record<string, Expr>)[path] = r.moments[k]));
  }
  const out = {} as Record<K, Vars>;
  slots.forEach((k, i) => (out[k] = unflatten(params, newSlots[i] as Record<string, Expr>)));
  return { params: unflatten(params, newParams), moments: out };
}

/** The initial state: a zero step counter and a zero tree per slot. */
export function initState<K extends string, P extends Params>(params: P, slots: readonly K[]): OptState<K, P> {
  const state: Record<string, Params | Tensor> = { step: full([], 0, "i32") };
  for (const k of slots) state[k] = zerosLike(params);
  // One tree per slot, shaped like the parameters: what OptState says.
  return state as OptState<K, P>;
}
