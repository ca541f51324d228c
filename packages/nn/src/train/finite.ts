// Non-finite detection inside the compiled step: one flag computed with the gradients, and every
// state update made conditional on it, so a step whose loss or gradients are not finite changes
// nothing and the host reads one number to notice it.
import { type Expr, type Shape, ValueError, add, broadcastTo, equal, mul, sum, where } from "@typegrad/core";

/**
 * True when the loss and the squared gradient norm are finite: (loss + Σ‖g‖²)·0 is 0 exactly then
 * (NaN for NaN or ±∞). The squared norms are the ones gradient clipping computes, so a clipped
 * step shares them.
 */
export function finiteFlag(loss: Expr, grads: readonly Expr[]): Expr<Shape, "bool"> {
  const norm = grads.map((g) => sum(mul(g, g))).reduce((a, b) => add(a, b));
  return equal(mul(add(loss, norm), 0), 0);
}

/** The new value where the step is finite, else the old one (the step is not applied). */
export const gated = (finite: Expr<Shape, "bool">, next: Expr, old: Expr): Expr => where(broadcastTo(finite, next.shape), next, old);

/**
 * A training step met a non-finite loss or gradient norm; the step was not applied, so the state
 * is as before it. `epoch` and `batch` (1-based) are known when `fit` ran the step.
 */
export class NonFiniteError extends ValueError {
  override name = "NonFiniteError";
  constructor(
    readonly loss: number,
    /** 0-based index of the step among the session's steps. */
    readonly step: number,
    readonly epoch?: number,
    readonly batch?: number,
  ) {
    const where = epoch === undefined ? `step ${step + 1}` : `epoch ${epoch}, batch ${batch} (step ${step + 1})`;
    super(
      epoch === undefined ? "trainStep" : "fit",
      "a finite loss and gradient norm",
      `${Number.isFinite(loss) ? `a non-finite gradient norm (loss ${loss})` : `loss ${loss}`} at ${where}; the step was not applied`,
      "look for NaN or ±Inf in that batch, lower the learning rate or clip gradients (clipGradNorm); { checkFinite: false } turns the check off",
    );
  }

  /** The same error, placed at an epoch and batch of `fit`. */
  at(epoch: number, batch: number): NonFiniteError {
    return new NonFiniteError(this.loss, this.step, epoch, batch);
  }
}
