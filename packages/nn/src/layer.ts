// A layer is data plus pure functions (as in Equinox): `init` makes parameters from a key,
// `apply` maps an input expression to an output expression given parameters and a context.
// Nothing is mutated: a stateful layer (batch norm) returns its new state from `call`.
import { type DType, type Dim, type Expr, type FloatDType, type Key, type Shape, constant } from "@typegrad/core";
import type { ApplyCheck, ApplyOut } from "./shapes.js";
import { type Params, type Vars, mapTree } from "./tree.js";

/** The key input of a graph: an i32 expression of shape [2] (see core's `key`). */
export type KeyExpr = Expr<Shape, "i32">;

/** How a layer runs: the mode, a key for random layers, and the state of stateful layers. */
export interface Ctx {
  readonly mode: "train" | "eval";
  /** Dropout masks are drawn from this key inside the graph. */
  readonly key?: KeyExpr;
  /** Buffers of stateful layers (batch norm's running statistics), for `apply`. */
  readonly state?: Vars;
}

/** Marks a shape-preserving layer (activations, dropout): its output has its input's shape. */
export type Same = readonly Dim[] & { readonly "same shape": true };

/** The parameters (or buffers) of a layer that has none. */
export type NoParams = Record<never, never>;

/**
 * A layer mapping inputs of feature shape I to outputs of feature shape O (leading batch axes are
 * free). Shape-preserving layers use `Same` for both. The shapes are checked by `sequential`.
 * P and B are the types of its parameter and buffer trees (keys as in PyTorch's state_dict):
 * `dense(4, 8).init(key)` is `{ weight: Tensor<[8, 4]>; bias: Tensor<[8]> }`.
 */
export interface Layer<I extends Shape = Shape, O extends Shape = Shape, P extends Params = Params, B extends Params = Params> {
  /** The key of this layer's parameters inside a parent (PyTorch module name); by default its index. */
  readonly name: string | undefined;
  /** Fresh parameters (trainable tensors), drawn from `key`. */
  readonly init: (key: Key, dtype?: FloatDType) => P;
  /** Fresh buffers (non-trainable state such as running statistics); `{}` for most layers. */
  readonly initState: (dtype?: FloatDType) => B;
  /**
   * Forward pass with explicit state, returning the output and the new state: the protocol of
   * combinators and trainers, which thread buffers through a model. Users call `apply`, which
   * `layer()` derives from this one function.
   */
  readonly call: (params: Vars, state: Vars, x: Expr, ctx: Ctx) => { readonly y: Expr; readonly state: Vars };
  /**
   * Forward pass: the output only (state, if any, is read from `ctx.state`). The types follow the
   * features: `dense(784, 128)` maps `Expr<["batch", 784]>` to `Expr<["batch", 128]>` and rejects
   * an input whose last axis is a literal other than 784.
   */
  readonly apply: <S extends Shape, D extends DType>(params: Vars, x: Expr<S, D> & ApplyCheck<S, I>, ctx: Ctx) => Expr<ApplyOut<S, I, O>, D>;
  /** Phantom: the feature shapes, for type-level checks only. */
  readonly shapes?: { readonly in: I; readonly out: O };
}

/** What a layer definition provides; `layer` fills in the rest. */
export interface LayerSpec<P extends Params = Params, B extends Params = Params> {
  readonly name?: string;
  readonly init?: (key: Key, dtype: FloatDType) => P;
  readonly initState?: (dtype: FloatDType) => B;
  readonly call: (params: Vars, state: Vars, x: Expr, ctx: Ctx) => { readonly y: Expr; readonly state: Vars };
}

/**
 * Makes a layer from its parts; stateless layers may give `forward` instead of `call`.
 * @example
 * const double = layer<Same, Same>({ forward: (_p, x) => mul(x, 2) });
 */
export function layer<I extends Shape, O extends Shape, P extends Params = NoParams, B extends Params = NoParams>(
  spec: LayerSpec<P, B> | (Omit<LayerSpec<P, B>, "call"> & { readonly forward: (params: Vars, x: Expr, ctx: Ctx) => Expr }),
): Layer<I, O, P, B> {
  const call: LayerSpec["call"] =
    "call" in spec ? spec.call : (params, state, x, ctx) => ({ y: spec.forward(params, x, ctx), state });
  // A layer without `init` has no parameters: its tree is empty, which is what NoParams says.
  const none = (): P & B => ({}) as P & B;
  return {
    name: spec.name,
    init: (key, dtype = "f32") => spec.init?.(key, dtype) ?? none(),
    initState: (dtype = "f32") => spec.initState?.(dtype) ?? none(),
    call,
    apply: ((params: Vars, x: Expr, ctx: Ctx) => call(params, ctx.state ?? {}, x, ctx).y) as Layer<I, O>["apply"],
  };
}

/**
 * The same layer under another name, so its parameters appear as `<name>.weight` in a parent.
 * @example
 * sequential(named("fc1", dense(8, 12)), relu(), named("fc2", dense(12, 8)));
 */
export function named<const N extends string, I extends Shape, O extends Shape, P extends Params, B extends Params>(
  name: N,
  l: Layer<I, O, P, B>,
): Layer<I, O, P, B> & { readonly name: N } {
  return { ...l, name };
}

/**
 * A layer bound to its parameters and context, as a function of expressions: composes with
 * fp-ts `pipe` and `flow`.
 * @example
 * pipe(x, bind(model, params, { mode: "eval" }), softmax);
 */
export function bind<I extends Shape, O extends Shape>(
  l: Layer<I, O, Params, Params>,
  params: Vars,
  ctx: Ctx,
): <S extends Shape, D extends DType>(x: Expr<S, D> & ApplyCheck<S, I>) => Expr<ApplyOut<S, I, O>, D> {
  return (x) => l.apply(params, x, ctx);
}

/** Parameters as constants of a graph (for inference without inputs). */
export const constants = (params: Params): Vars => mapTree(params, (t) => constant(t));
