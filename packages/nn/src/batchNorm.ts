import { type Expr, ShapeError, type Tensor, ValueError, add, div, full, mean, mul, reshape, sqrt, sub, variance, type Shape, showShape } from "@typegrad/core";
import { type Layer, type NoParams, layer } from "./layer.js";
import { leaf } from "./tree.js";

/** Options of `batchNorm` (PyTorch's defaults). */
export interface BatchNormOptions {
  readonly eps?: number;
  /** Weight of the new batch statistic in the running averages (0.1). */
  readonly momentum?: number;
  /** Learnable scale `weight` and shift `bias` (true). */
  readonly affine?: boolean;
}

/** The parameters of `batchNorm(C)`: `weight` and `bias` [C] (none with `affine: false`). */
export type BatchNormParams<C extends number, Opt extends BatchNormOptions> = Opt extends { readonly affine: false } ? NoParams : { weight: Tensor<[C]>; bias: Tensor<[C]> };

/** The buffers of `batchNorm(C)`, named as in PyTorch's state_dict. */
export type BatchNormState<C extends number> = {
  running_mean: Tensor<[C]>;
  running_var: Tensor<[C]>;
  num_batches_tracked: Tensor<[], "i32">;
};

/**
 * Batch normalisation over [N, C] or [N, C, L] inputs (PyTorch's nn.BatchNorm1d). In training it
 * normalises with the batch mean and the biased batch variance, and returns new running
 * statistics: running_mean ← (1−m)·running_mean + m·mean, running_var ← (1−m)·running_var +
 * m·var_unbiased (÷(N−1), as PyTorch), num_batches_tracked + 1. In evaluation it uses the running
 * statistics. State keys match PyTorch's state_dict.
 * @example
 * const bn = batchNorm(64);
 * const { y, state } = bn.call(params, bnState, x, { mode: "train" });
 */
export function batchNorm<const C extends number, const Opt extends BatchNormOptions = NoParams>(
  features: C,
  options?: Opt,
): Layer<[C], [C], BatchNormParams<C, Opt>, BatchNormState<C>> {
  const { eps = 1e-5, momentum = 0.1, affine = true }: BatchNormOptions = options ?? {};
  if (!(momentum >= 0 && momentum <= 1)) throw new ValueError("batchNorm", "a momentum in [0, 1]", String(momentum));
  return layer<[C], [C], BatchNormParams<C, Opt>, BatchNormState<C>>({
    // `affine` decides the keys; BatchNormParams says the same in the type.
    init: (_key, dtype) => (affine ? { weight: full([features], 1, dtype), bias: full([features], 0, dtype) } : {}) as BatchNormParams<C, Opt>,
    initState: (dtype) => ({
      running_mean: full([features], 0, dtype),
      running_var: full([features], 1, dtype),
      num_batches_tracked: full([], 0, "i32"),
    }),
    call: (params, state, x: Expr, ctx) => {
      if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== features)
        throw new ShapeError("batchNorm", `an input [N, ${features}] or [N, ${features}, L]`, showShape(x.shape));
      const axes = x.rank === 2 ? [0] : [0, 2];
      // Per-feature vectors broadcast against x: [C] for [N, C], [C, 1] for [N, C, L].
      const perFeature = (v: Expr): Expr => (x.rank === 2 ? v : reshape(v, [features, 1]));
      const normalise = (mu: Expr, v: Expr): Expr => {
        const xhat = div(sub(x, perFeature(mu)), perFeature(sqrt(add(v, eps))));
        return affine ? add(mul(xhat, perFeature(leaf(params, "weight", "batchNorm"))), perFeature(leaf(params, "bias", "batchNorm"))) : xhat;
      };
      const runningMean = leaf(state, "running_mean", "batchNorm");
      const runningVar = leaf(state, "running_var", "batchNorm");
      if (ctx.mode === "eval") return { y: normalise(runningMean, runningVar), state };
      const mu = mean(x, axes);
      const varBiased = variance(x, axes);
      const n = axes.reduce((k, a) => k * countDim(x.shape, a), 1);
      const varUnbiased = mul(varBiased, n / (n - 1));
      const tracked = leaf(state, "num_batches_tracked", "batchNorm");
      return {
        y: normalise(mu, varBiased),
        state: {
          running_mean: add(mul(runningMean, 1 - momentum), mul(mu, momentum)),
          running_var: add(mul(runningVar, 1 - momentum), mul(varUnbiased, momentum)),
          num_batches_tracked: add(tracked, 1),
        },
      };
    },
  });
}

function countDim(shape: Shape, axis: number): number {
  const d = shape[axis];
  if (typeof d !== "number") throw new ShapeError("batchNorm", "numeric batch dimensions", showShape(shape), "bind symbolic dimensions before building the graph");
  return d;
}
