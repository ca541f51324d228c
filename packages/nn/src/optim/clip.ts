import { type Expr, add, div, minimum, mul, sqrt, sum } from "@typegrad/core";
import { mapTree, flatten } from "../tree.js";
import type { Optimizer } from "./optimizer.js";
import { recipeOf, recorded } from "./recipe.js";

/**
 * Clips gradients by their global norm before `optimizer` sees them (torch.nn.utils.clip_grad_norm_):
 * g ← g·min(1, maxNorm/(‖g‖ + 10⁻⁶)) with ‖g‖ the 2-norm over all gradients together.
 * @example
 * const opt = clipGradNorm(adam({ lr: 1e-3 }), 1.0);
 */
export function clipGradNorm<K extends string>(optimizer: Optimizer<K>, maxNorm: number): Optimizer<K> {
  return recorded({
    init: optimizer.init,
    update: (grads, state, params) => {
      const squares: Expr[] = Object.values(flatten(grads)).map((g) => sum(mul(g, g)));
      const total = sqrt(squares.reduce((a, b) => add(a, b)));
      const coef = minimum(div(maxNorm, add(total, 1e-6)), 1);
      return optimizer.update(mapTree(grads, (g: Expr) => mul(g, coef)), state, params);
    },
  }, "clipGradNorm", recipeOf(optimizer) ?? optimizer.update, maxNorm);
}
