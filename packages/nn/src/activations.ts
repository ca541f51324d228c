// Activations as parameter-free, shape-preserving layers (the functions themselves are core's).
import {
  type Expr,
  gelu as geluFn,
  leakyRelu as leakyReluFn,
  relu as reluFn,
  sigmoid as sigmoidFn,
  softplus as softplusFn,
  tanh as tanhFn,
} from "@typegrad/core";
import { type Layer, type NoParams, type Same, layer } from "./layer.js";

/** A layer without parameters that keeps its input's shape. */
type Activation = Layer<Same, Same, NoParams, NoParams>;

/** A shape-preserving layer applying `f` elementwise. */
export const elementwise = (f: (x: Expr) => Expr): Activation => layer({ forward: (_p, x) => f(x) });

/** max(x, 0) as a layer. */
export const relu = (): Activation => elementwise(reluFn);
/** 1/(1 + e⁻ˣ) as a layer. */
export const sigmoid = (): Activation => elementwise(sigmoidFn);
/** tanh as a layer. */
export const tanh = (): Activation => elementwise(tanhFn);
/** x for x > 0, αx otherwise (α = 0.01 as in PyTorch). */
export const leakyRelu = (alpha = 0.01): Activation => elementwise((x) => leakyReluFn(x, alpha));
/** GELU (tanh approximation) as a layer. */
export const gelu = (): Activation => elementwise(geluFn);
/** log(1 + eˣ) as a layer (PyTorch's threshold 20). */
export const softplus = (): Activation => elementwise((x) => softplusFn(x));
