import { type Expr, add, cast, div, maximum, mul, pow, sqrt, sub } from "@typegrad/core";
import { recorded } from "./recipe.js";
import { type LearningRate, type Optimizer, dtypeOf, initState, nextStep, perParam, rateAt, withDecay } from "./optimizer.js";

type NoOptions = Record<never, never>;

/** Options of `adam` and `adamw` (PyTorch's names and defaults). */
export interface AdamOptions {
  readonly lr?: LearningRate;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly weightDecay?: number;
  readonly amsgrad?: boolean;
}

/**
 * The Adam update of torch.optim.Adam, in its order of operations: m ← β₁m + (1−β₁)g,
 * v ← β₂v + (1−β₂)g², p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε); with amsgrad the running maximum
 * of v replaces v in the denominator. `decoupled` selects AdamW's p ← p·(1 − lr·λ) over L2 decay.
 */
/** Adam's state slots: the moments, and the running maximum with amsgrad. */
export type AdamSlots<O extends AdamOptions> = "exp_avg" | "exp_avg_sq" | (O extends { readonly amsgrad: true } ? "max_exp_avg_sq" : never);

function adamLike(options: AdamOptions, decoupled: boolean): Optimizer<AdamSlots<{ amsgrad: true }>> {
  const { lr = 0.001, betas = [0.9, 0.999], eps = 1e-8, weightDecay = decoupled ? 0.01 : 0, amsgrad = false } = options;
  const [b1, b2] = betas;
  const slots = amsgrad ? (["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] as const) : (["exp_avg", "exp_avg_sq"] as const);
  return recorded({
    init: (params) => initState(params, slots),
    update: (grads, state, params) => {
      const dtype = dtypeOf(params);
      const { count, t } = nextStep(state);
      const rate = rateAt(lr, t);
      const stepSize = cast(div(rate, sub(1, pow(b1, t))), dtype);
      const bc2Sqrt = cast(sqrt(sub(1, pow(b2, t))), dtype);
      const decay = cast(sub(1, mul(rate, weightDecay)), dtype);
      const r = perParam(params, grads, state, slots, (p0, g0, m) => {
        const p = decoupled && weightDecay !== 0 ? mul(p0, decay) : p0;
        const g = decoupled ? g0 : withDecay(g0, p0, weightDecay);
        const expAvg = add(mul(m.exp_avg, b1), mul(g, 1 - b1));
        const expAvgSq = add(mul(m.exp_avg_sq, b2), mul(mul(g, 1 - b2), g));
        const maxSq = amsgrad ? maximum(m.max_exp_avg_sq, expAvgSq) : expAvgSq;
        const denom = add(div(sqrt(maxSq), bc2Sqrt), eps);
        const moments = { exp_avg: expAvg, exp_avg_sq: expAvgSq, ...(amsgrad ? { max_exp_avg_sq: maxSq } : {}) };
        return { param: sub(p, div(mul(expAvg, stepSize), denom)), moments: moments as Record<(typeof slots)[number], Expr> };
      });
      return { params: r.params, state: { step: count, ...r.moments } };
    },
  }, decoupled ? "adamw" : "adam", options);
}

/**
 * Adam (torch.optim.Adam), with optional L2 weight decay added to the gradient and amsgrad.
 * @example
 * const opt = adam({ lr: 0.02 });
 */
export const adam = <const O extends AdamOptions = NoOptions>(options?: O): Optimizer<AdamSlots<O>> => adamLike(options ?? {}, false);

/**
 * AdamW (torch.optim.AdamW): Adam with decoupled weight decay p ← p·(1 − lr·λ), λ = 0.01 by default.
 * @example
 * const opt = adamw({ lr: 1e-3, weightDecay: 0.05 });
 */
export const adamw = <const O extends AdamOptions = NoOptions>(options?: O): Optimizer<AdamSlots<O>> => adamLike(options ?? {}, true);
