import { ValueError, add, cast, equal, mul, sub, where } from "@typegrad/core";
import { recorded } from "./recipe.js";
import { type LearningRate, type Optimizer, dtypeOf, initState, nextStep, perParam, rateAt, withDecay } from "./optimizer.js";

/** Options of `sgd` (PyTorch's names and defaults). */
export interface SgdOptions {
  readonly lr: LearningRate;
  readonly momentum?: number;
  readonly dampening?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
}

/** SGD's state slots: a momentum buffer unless momentum is 0 (the default). */
export type SgdSlots<O extends SgdOptions> = O extends { readonly momentum: infer M extends number } ? (M extends 0 ? never : "momentum_buffer") : never;

/**
 * Stochastic gradient descent as torch.optim.SGD: g ← g + λp; with momentum μ the buffer is g
 * on the first step and μ·buf + (1 − dampening)·g after; Nesterov uses g + μ·buf; p ← p − lr·d.
 * @example
 * const opt = sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
 */
export function sgd<const O extends SgdOptions>(options: O): Optimizer<SgdSlots<O>> {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: SgdOptions = options;
  if (nesterov && (momentum <= 0 || dampening !== 0)) throw new ValueError("sgd", "momentum > 0 and dampening 0 for Nesterov", `momentum ${momentum}, dampening ${dampening}`);
  const slots = momentum === 0 ? [] : (["momentum_buffer"] as const);
  return recorded({
    init: (params) => initState(params, slots),
    update: (grads, state, params) => {
      const { count, t } = nextStep(state);
      const rate = cast(rateAt(lr, t), dtypeOf(params));
      const first = equal(count, 1);
      const r = perParam(params, grads, state, slots, (p, g0, m) => {
        const g = withDecay(g0, p, weightDecay);
        if (momentum === 0) return { param: sub(p, mul(g, rate)), moments: m };
        const buf = where(first, g, add(mul(m.momentum_buffer, momentum), mul(g, 1 - dampening)));
        const d = nesterov ? add(g, mul(buf, momentum)) : buf;
        return { param: sub(p, mul(d, rate)), moments: { momentum_buffer: buf } };
      });
      return { params: r.params, state: { step: count, ...r.moments } };
    },
  }, "sgd", options);
}
