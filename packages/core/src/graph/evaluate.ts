import { type Expr, isOp } from "./expr.js";
import { type Bindings, bindInputs } from "./bind.js";
import { topoSort } from "./topo.js";
import { primitiveOf } from "../ops/index.js";
import { ValueError, bindShape } from "../shape/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export { type Bindings, bindInputs };

/** The value an expression evaluates to: a tensor of its shape and dtype. */
export type ValueOf<E> = E extends Expr<infer S, infer D> ? Tensor<S, D> : never;

/** Evaluates one node whose inputs are evaluated, with its primitive's reference evaluator. */
function evaluateNode(e: Expr, args: readonly Tensor[], dims: ReadonlyMap<string, number>): Tensor {
  return primitiveOf(e).evaluate(args, e.params, { shape: bindShape(e.shape, dims, e.op), dtype: e.dtype });
}

/**
 * The reference interpreter: evaluates expressions in plain JavaScript, each op in double
 * precision and rounded to its dtype.
 * @example
 * const x = input("x", [3], "f64");
 * evaluate(sum(mul(x, x)), { x: tensor([1, 2, 3], { dtype: "f64" }) }).item();   // 14
 */
export function evaluate<E extends Expr>(output: E, bindings?: Bindings): ValueOf<E>;
export function evaluate<const E extends readonly Expr[]>(outputs: E, bindings?: Bindings): { [K in keyof E]: ValueOf<E[K]> };
export function evaluate(outputs: Expr | readonly Expr[], bindings: Bindings = {}): Tensor | Tensor[] {
  const roots = outputs instanceof Array ? outputs : [outputs as Expr];
  const { values, dims } = bindInputs(roots, bindings);
  for (const e of topoSort(roots)) {
    if (values.has(e)) continue;
    if (isOp(e, "input")) throw new ValueError("evaluate", `a tensor for input "${e.params.name}"`, "none");
    values.set(e, evaluateNode(e, e.inputs.map((x) => values.get(x) as Tensor), dims));
  }
  const results = roots.map((r) => values.get(r) as Tensor);
  return outputs instanceof Array ? results : (results[0] as Tensor);
}
