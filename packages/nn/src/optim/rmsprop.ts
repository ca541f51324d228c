import { type Expr, add, cast, div, mul, sqrt, sub } from "@typegrad/core";
import { recorded } from "./recipe.js";
import { type LearningRate, type Optimizer, dtypeOf, initState, nextStep, perParam, rateAt, withDecay } from "./optimizer.js";

/** Options of `rmsprop` (PyTorch's names and defaults). */
export interface RmspropOptions {
  readonly lr?: LearningRate;
  readonly alpha?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  readonly momentum?: number;
  readonly centered?: boolean;
}

/** RMSprop's state slots: the square average, a momentum buffer with momentum, a gradient average when centered. */
export type RmspropSlots<O extends RmspropOptions> =
  | "square_avg"
  | (O extends { readonly momentum: infer M extends number } ? (M extends 0 ? never : "momentum_buffer") : never)
  | (O extends { readonly centered: true } ? "grad_avg" : never);

/**
 * RMSprop as torch.optim.RMSprop: v ← αv + (1−α)g²; centered also tracks a ← αa + (1−α)g and uses
 * v − a²; d = √(·) + ε; with momentum buf ← μ·buf + g/d and p ← p − lr·buf, else p ← p − lr·g/d.
 * @example
 * const opt = rmsprop({ lr: 0.01, centered: true, momentum: 0.9 });
 */
export function rmsprop<const O extends RmspropOptions = Record<never, never>>(options?: O): Optimizer<RmspropSlots<O>> {
  const { lr = 0.01, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false }: RmspropOptions = options ?? {};
  const slots = [
    "square_avg",
    ...(momentum > 0 ? (["momentum_buffer"] as const) : []),
    ...(centered ? (["grad_avg"] as const) : []),
  ] as const;
  const all: Optimizer<"square_avg" | "momentum_buffer" | "grad_avg"> = recorded({
    init: (params) => initState(params, slots),
    update: (grads, state, params) => {
      const { count, t } = nextStep(state);
      const rate = cast(rateAt(lr, t), dtypeOf(params));
      const r = perParam(params, grads, state, slots, (p, g0, m) => {
        const g = withDecay(g0, p, weightDecay);
        const squareAvg = add(mul(m.square_avg, alpha), mul(mul(g, 1 - alpha), g));
        const moments: Partial<Record<(typeof slots)[number], Expr>> = { square_avg: squareAvg };
        let avg: Expr;
        if (centered) {
          const gradAvg = add(mul(m.grad_avg, alpha), mul(g, 1 - alpha));
          moments.grad_avg = gradAvg;
          avg = sqrt(sub(squareAvg, mul(gradAvg, gradAvg)));
        } else avg = sqrt(squareAvg);
        const denom = add(avg, eps);
        if (momentum > 0) {
          const buf = add(mul(m.momentum_buffer, momentum), div(g, denom));
          moments.momentum_buffer = buf;
          return { param: sub(p, mul(buf, rate)), moments: moments as Record<(typeof slots)[number], Expr> };
        }
        return { param: sub(p, div(mul(g, rate), denom)), moments: moments as Record<(typeof slots)[number], Expr> };
      });
      return { params: r.params, state: { step: count, ...r.moments } };
    },
  }, "rmsprop", options);
  // The options decide the slots; RmspropSlots says the same in the type.
  return all;
}
