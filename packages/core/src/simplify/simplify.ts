import type { Expr } from "../graph/expr.js";
import { topoSort } from "../graph/topo.js";
import { ShapeError, sameShape, showShape } from "../shape/shape.js";
import { fold, rebuild, rulesByOp } from "./rules.js";

/** Whole-graph passes before giving up on a fixed point; each pass rewrites every node bottom-up. */
const MAX_PASSES = 10;
/** Rewrites of one node within a pass. */
const MAX_LOCAL = 16;

/** Rewrites one node, whose inputs are simplified, until no rule applies (or the cap). */
function rewrite(e: Expr): Expr {
  for (let step = 0; step < MAX_LOCAL; step++) {
    let next = fold(e);
    let name = "constant folding";
    for (const rule of next === undefined ? (rulesByOp.get(e.op) ?? []) : []) {
      next = rule.rewrite(e);
      name = rule.name;
      if (next !== undefined) break;
    }
    if (next === undefined || next === e) return e;
    if (!sameShape(next.shape, e.shape) || next.dtype !== e.dtype)
      throw new ShapeError("simplify", `rule "${name}" to keep ${e.dtype}${showShape(e.shape)}`, `${next.dtype}${showShape(next.shape)}`, "a rewrite must preserve shape and dtype");
    e = next;
  }
  return e;
}

/** One bottom-up pass over the nodes of all roots, with one old → new mapping for all of them. */
function pass(roots: readonly Expr[]): Expr[] {
  const map = new Map<Expr, Expr>();
  for (const e of topoSort(roots)) {
    const inputs = e.inputs.map((x) => map.get(x) as Expr);
    map.set(e, rewrite(inputs.every((x, i) => x === e.inputs[i]) ? e : rebuild(e, inputs)));
  }
  return roots.map((r) => map.get(r) as Expr);
}

/**
 * Simplifies expressions without changing their values: constant folding, algebraic identities
 * and the removal of redundant broadcasts, reshapes and transposes, in bounded passes. A list of
 * outputs is simplified together, so shared subexpressions stay shared. Every rule holds for all
 * inputs, negative numbers, zeros, infinities and NaN included (see simplify/rules.ts).
 * @example
 * const x = input("x", [3]);
 * const [dx] = grad(sum(sigmoid(x)), [x]);
 * print(simplify(dx));   // σ(x)·(1 − σ(x))
 */
export function simplify<E extends Expr>(output: E): E;
export function simplify<const E extends readonly Expr[]>(outputs: E): { [K in keyof E]: E[K] };
export function simplify(outputs: Expr | readonly Expr[]): Expr | Expr[] {
  let roots: Expr[] = outputs instanceof Array ? [...outputs] : [outputs as Expr];
  for (let i = 0; i < MAX_PASSES; i++) {
    const next = pass(roots);
    const done = next.every((r, k) => r === roots[k]);
    roots = next;
    if (done) break;
  }
  return outputs instanceof Array ? roots : (roots[0] as Expr);
}
