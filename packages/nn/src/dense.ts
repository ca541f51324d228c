import { type Expr, type Key, ShapeError, type Tensor, add, matmul, split, transpose, showShape } from "@typegrad/core";
import { type Initializer, linearBiasInit, linearWeightInit } from "./init.js";
import { type Layer, type NoParams, layer } from "./layer.js";
import { leaf } from "./tree.js";

/** No options: the defaults. */
type NoOptions = Record<never, never>;

/** Options of `dense`. */
export interface DenseOptions {
  /** Add a bias (default true). */
  readonly bias?: boolean;
  /** Weight layout: PyTorch's [out, in] (default, y = x·Wᵀ + b) or [in, out] (y = x·W + b). */
  readonly layout?: "out-in" | "in-out";
  /** Weight initialiser (default PyTorch's nn.Linear: U(−1/√in, 1/√in)). */
  readonly weightInit?: Initializer;
  /** Bias initialiser (default U(−1/√in, 1/√in)). */
  readonly biasInit?: Initializer;
}

/** The parameters of `dense(I, O, options)`: `weight` [O, I] (or [I, O] with layout "in-out") and, unless `bias: false`, `bias` [O]. */
export type DenseParams<I extends number, O extends number, Opt extends DenseOptions = DenseOptions> = Opt extends { readonly bias: false }
  ? { weight: Tensor<DenseWeight<I, O, Opt>> }
  : { weight: Tensor<DenseWeight<I, O, Opt>>; bias: Tensor<[O]> };
type DenseWeight<I extends number, O extends number, Opt extends DenseOptions> = Opt extends { readonly layout: "in-out" } ? [I, O] : [O, I];

/**
 * A fully connected layer like PyTorch's nn.Linear: parameters `weight` [out, in] and `bias`
 * [out]; y = x·Wᵀ + b over the last axis of x (any leading axes).
 * @example
 * const fc = dense(784, 128);
 * const params = fc.init(key(0));                      // { weight: [128, 784], bias: [128] }
 * fc.apply(constants(params), input("x", ["batch", 784]), { mode: "eval" });
 */
export function dense<const I extends number, const O extends number, const Opt extends DenseOptions = NoOptions>(
  inFeatures: I,
  outFeatures: O,
  options?: Opt,
): Layer<[I], [O], DenseParams<I, O, Opt>, NoParams> {
  const { bias = true, layout = "out-in", weightInit = linearWeightInit, biasInit = linearBiasInit }: DenseOptions = options ?? {};
  for (const n of [inFeatures, outFeatures])
    if (!Number.isInteger(n) || n < 1) throw new ShapeError("dense", "positive integer feature counts", `${inFeatures} → ${outFeatures}`);
  const fans = { fanIn: inFeatures, fanOut: outFeatures };
  const weightShape = layout === "out-in" ? [outFeatures, inFeatures] : [inFeatures, outFeatures];
  return layer<[I], [O], DenseParams<I, O, Opt>>({
    init: (key: Key, dtype) => {
      const [kw, kb] = split(key, 2) as [Key, Key];
      const weight = weightInit(kw, weightShape, dtype, fans);
      // The options decide the keys; DenseParams says the same in the type.
      return (bias ? { weight, bias: biasInit(kb, [outFeatures], dtype, fans) } : { weight }) as DenseParams<I, O, Opt>;
    },
    forward: (params, x: Expr) => {
      if (x.shape[x.rank - 1] !== inFeatures)
        throw new ShapeError("dense", `an input with ${inFeatures} features on the last axis`, showShape(x.shape), "check the previous layer's output size");
      const w: Expr = leaf(params, "weight", "dense");
      const y: Expr = matmul(x, layout === "out-in" ? transpose(w) : w);
      return bias ? add(y, leaf(params, "bias", "dense")) : y;
    },
  });
}
