// Initialisers, with PyTorch's formulas (torch.nn.init). The fans come from the layer, so a weight
// stored as [in, out] gets the same distribution as one stored as [out, in].
import {
  type ConcreteShape,
  type FloatDType,
  type Key,
  type Tensor,
  ValueError,
  add,
  constant,
  evaluate,
  full,
  mul,
  normal as normalExpr,
  sizeOf,
  uniform as uniformExpr,
} from "@typegrad/core";

/** Fan-in and fan-out of the weight being initialised. */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Draws a tensor of `shape` from `key`. */
export type Initializer = (key: Key, shape: ConcreteShape, dtype: FloatDType, fans: Fans) => Tensor;

/** Fans of a weight laid out as PyTorch does: [out, in, ...kernel]. */
export function fansOf(shape: ConcreteShape): Fans {
  if (shape.length < 2) throw new ValueError("fansOf", "a weight of rank ≥ 2", `rank ${shape.length}`, "pass the fans explicitly for a bias");
  const receptive = sizeOf(shape.slice(2));
  return { fanIn: (shape[1] as number) * receptive, fanOut: (shape[0] as number) * receptive };
}

/** Nonlinearities known to `calculateGain`. */
export type Nonlinearity = "linear" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1, 1, 5/3, √2,
 * √(2/(1+slope²)) (slope 0.01 by default), 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.sqrt(2);
    case "leaky_relu":
      return Math.sqrt(2 / (1 + (param ?? 0.01) ** 2));
    case "selu":
      return 3 / 4;
  }
}

/**
 * U(lo, hi).
 * @example
 * const w = uniformInit(-0.1, 0.1)(key(0), [10, 5], "f32", fansOf([10, 5]));
 */
export const uniformInit =
  (lo: number, hi: number): Initializer =>
  (key, shape, dtype) =>
    evaluate(add(mul(uniformExpr(constant(key), shape, dtype), hi - lo), lo));

/** N(mean, std²). */
export const normalInit =
  (mean: number, std: number): Initializer =>
  (key, shape, dtype) =>
    evaluate(add(mul(normalExpr(constant(key), shape, dtype), std), mean));

/** A constant value. */
export const constantInit =
  (value: number): Initializer =>
  (_key, shape, dtype) =>
    full(shape, value, dtype);

/** Zeros. */
export const zerosInit: Initializer = constantInit(0);

/** Ones. */
export const onesInit: Initializer = constantInit(1);

/** Glorot/Xavier uniform: U(−b, b) with b = gain·√(6/(fanIn + fanOut)). */
export const xavierUniform =
  ({ gain = 1 }: { gain?: number } = {}): Initializer =>
  (key, shape, dtype, fans) => {
    const b = gain * Math.sqrt(6 / (fans.fanIn + fans.fanOut));
    return uniformInit(-b, b)(key, shape, dtype, fans);
  };

/** Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2/(fanIn + fanOut)). */
export const xavierNormal =
  ({ gain = 1 }: { gain?: number } = {}): Initializer =>
  (key, shape, dtype, fans) =>
    normalInit(0, gain * Math.sqrt(2 / (fans.fanIn + fans.fanOut)))(key, shape, dtype, fans);

/** Options of the He/Kaiming initialisers (PyTorch's defaults: a = 0, fan_in, leaky_relu). */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows. */
  readonly a?: number;
  readonly mode?: "fanIn" | "fanOut";
  readonly nonlinearity?: Nonlinearity;
}

/** σ = gain/√fan, computed in PyTorch's order so the bounds agree to the last bit. */
function kaimingStd({ a = 0, mode = "fanIn", nonlinearity = "leaky_relu" }: KaimingOptions, fans: Fans): number {
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === "fanIn" ? fans.fanIn : fans.fanOut);
}

/** He/Kaiming uniform: U(−b, b) with b = √3·gain/√fan. */
export const kaimingUniform =
  (options: KaimingOptions = {}): Initializer =>
  (key, shape, dtype, fans) => {
    const b = Math.sqrt(3) * kaimingStd(options, fans);
    return uniformInit(-b, b)(key, shape, dtype, fans);
  };

/** He/Kaiming normal: N(0, σ²) with σ = gain/√fan. */
export const kaimingNormal =
  (options: KaimingOptions = {}): Initializer =>
  (key, shape, dtype, fans) =>
    normalInit(0, kaimingStd(options, fans))(key, shape, dtype, fans);

/** The bound of PyTorch's nn.Linear weight init: kaiming_uniform_ with a = √5, i.e. (almost exactly) 1/√fanIn. */
export const linearWeightBound = (fanIn: number): number => Math.sqrt(3) * kaimingStd({ a: Math.sqrt(5) }, { fanIn, fanOut: 0 });

/** PyTorch's nn.Linear default for the weight: U(−1/√fanIn, 1/√fanIn) (as kaiming_uniform_ with a = √5). */
export const linearWeightInit: Initializer = kaimingUniform({ a: Math.sqrt(5) });

/** PyTorch's nn.Linear default for the bias: U(−1/√fanIn, 1/√fanIn). */
export const linearBiasInit: Initializer = (key, shape, dtype, fans) => {
  const b = fans.fanIn > 0 ? 1 / Math.sqrt(fans.fanIn) : 0;
  return uniformInit(-b, b)(key, shape, dtype, fans);
};

/** JAX/Keras names for the same initialisers. */
export { xavierUniform as glorotUniform, xavierNormal as glorotNormal, kaimingUniform as heUniform, kaimingNormal as heNormal };
