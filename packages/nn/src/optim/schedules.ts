// Learning-rate schedules as graph functions of the 0-based step index t (a float scalar), so
// the rate is computed inside the compiled training step. They follow PyTorch's schedulers with
// one scheduler step per optimiser step.
import { recorded } from "./recipe.js";
import { type Expr, ValueError, add, cast, cos, div, minimum, mul, pow, scalar, where, less } from "@typegrad/core";

/** Learning rate as a function of the 0-based step index t. */
export type Schedule = (t: Expr) => Expr;

/** ⌊t/n⌋ for integer t ≥ 0 (the ½ keeps the rounding of t·(1/n) off the integers). */
const floorDiv = (t: Expr, n: number): Expr => cast(cast(div(add(t, 0.5), n), "i32"), t.dtype);

function positive(op: string, name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new ValueError(op, `a positive ${name}`, String(v));
}

/**
 * lr·γ^⌊t/stepSize⌋ (StepLR).
 * @example
 * adam({ lr: stepDecay(0.01, 1000, 0.5) });
 */
export function stepDecay(lr: number, stepSize: number, gamma = 0.1): Schedule {
  positive("stepDecay", "step size", stepSize);
  return recorded((t: Expr) => mul(pow(gamma, floorDiv(t, stepSize)), lr), "stepDecay", lr, stepSize, gamma);
}

/** lr·γ^t (ExponentialLR). */
export function exponentialDecay(lr: number, gamma: number): Schedule {
  return recorded((t: Expr) => mul(pow(gamma, t), lr), "exponentialDecay", lr, gamma);
}

/** η_min + (lr − η_min)·(1 + cos(π·min(t, T)/T))/2 (CosineAnnealingLR's closed form, held at η_min after T). */
export function cosineDecay(lr: number, steps: number, minLr = 0): Schedule {
  positive("cosineDecay", "number of steps", steps);
  return recorded((t: Expr) => add(mul(add(cos(mul(minimum(t, steps), Math.PI / steps)), 1), (lr - minLr) / 2), minLr), "cosineDecay", lr, steps, minLr);
}

/** Linear warm-up over `steps` from lr/steps to the schedule's (or constant's) first rate, then `after` shifted by `steps`. */
export function warmup(steps: number, after: number | Schedule): Schedule {
  positive("warmup", "number of steps", steps);
  const rate = (t: Expr): Expr => (typeof after === "number" ? scalar(after, t.dtype) : after(t));
  return recorded((t: Expr) => where(less(t, steps), mul(rate(scalar(0, t.dtype)), div(add(t, 1), steps)), rate(add(t, -steps))), "warmup", steps, after);
}
