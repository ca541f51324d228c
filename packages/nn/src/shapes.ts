// Type-level shape checks for combinators. A dimension typed as plain `number`/`string`, or a
// shape that is not a tuple, is dynamic: accepted here and checked when the graph is built.
import type { AllAgree, Dim, IsTuple, Shape, ShapeMismatchOf, ShapeMismatchUnless, ShowShape } from "@typegrad/core";
import type { Same } from "./layer.js";
import type { Params } from "./tree.js";

// Dimensions compare with core's Agree (through AllAgree), which decides a type parameter meeting
// itself, so shape-generic builders (`<H>(h: H) => sequential(dense(784, h), relu(), dense(h, 10))`) check.
/** Whether an output of feature shape A can feed an input of feature shape B. */
export type Fits<A extends Shape, B extends Shape> = IsTuple<A> extends true ? (IsTuple<B> extends true ? AllAgree<A, B> : true) : true;

// Tests go through `Pair<X, 0> extends Pair<Y, 0>`, not `[X] extends [Y]`: TypeScript defers the
// bracketed form while an element holds a type parameter (`[H]` in a shape-generic builder).
type Pair<A, B> = [A, B];
/** Whether a feature shape is the `Same` marker of shape-preserving layers. */
export type IsSame<S> = Pair<S, 0> extends Pair<Same, 0> ? true : false;

/**
 * A layer's input and output feature shapes, read from its phantom `shapes` (indexed, not matched
 * against `Layer<infer I, infer O>`, which TypeScript defers while a dimension is a type parameter).
 */
export type InOf<L> = L extends { readonly shapes?: { readonly in: infer I extends Shape } } ? I : Shape;
export type OutOf<L> = L extends { readonly shapes?: { readonly out: infer O extends Shape } } ? O : Shape;

/** Feature shape after running the layers on Cur (`Same` until the first shaped layer). */
export type Chain<Cur extends Shape, Ls extends readonly unknown[]> = Ls extends readonly [infer L, ...infer Rest]
  ? Chain<IsSame<InOf<L>> extends true ? Cur : OutOf<L>, Rest>
  : Cur;

/**
 * The checks of each link of a chain (a layer's input features against the features before it),
 * intersected in order. A link is checked on its own, never inside the test of the link before,
 * so that a link a generic builder leaves open (`[H]` into `[10]`) keeps its message.
 */
type Links<Cur extends Shape, Ls extends readonly unknown[], Index extends unknown[] = []> = Ls extends readonly [infer L, ...infer Rest]
  ? IsSame<InOf<L>> extends true
    ? Links<Cur, Rest, [...Index, 0]>
    : (IsSame<Cur> extends true
        ? unknown
        : ShapeMismatchUnless<`sequential: layer ${Index["length"]} expects features ${ShowShape<InOf<L>>}, got ${ShowShape<Cur>} from the layer before`, Fits<Cur, InOf<L>>>) &
        Links<OutOf<L>, Rest, [...Index, 0]>
  : unknown;

/** Input feature shape of a chain: that of its first shaped layer. */
export type ChainIn<Ls extends readonly unknown[]> = Ls extends readonly [infer L, ...infer Rest]
  ? IsSame<InOf<L>> extends true
    ? ChainIn<Rest>
    : InOf<L>
  : Same;

/** `unknown` when consecutive layers fit, else the ShapeMismatch that fails the call (one per link that does not). */
export type ChainCheck<Ls extends readonly unknown[]> = Links<Same, Ls>;

/** Output feature shape of a chain. */
export type ChainOut<Ls extends readonly unknown[]> = Chain<Same, Ls>;

type DropLast<S extends Shape, N extends number, Acc extends unknown[] = []> = Acc["length"] extends N
  ? S
  : S extends readonly [...infer L extends Shape, unknown]
    ? DropLast<L, N, [...Acc, 0]>
    : [];
type TakeLast<S extends Shape, N extends number, Acc extends Dim[] = []> = Acc["length"] extends N
  ? Acc
  : S extends readonly [...infer L extends Shape, infer T extends Dim]
    ? TakeLast<L, N, [T, ...Acc]>
    : Acc;

/** `unknown` when an input of shape S ends in the layer's feature shape I (checked for tuples), else a ShapeMismatch. */
export type ApplyCheck<S extends Shape, I extends Shape> = IsSame<I> extends true
  ? unknown
  : IsTuple<S> extends true
    ? IsTuple<I> extends true
      ? S["length"] extends 0
        ? unknown
        : ShapeMismatchUnless<`apply: the layer expects features ${ShowShape<I>} on the last axes, got an input ${ShowShape<S>}`, Fits<TakeLast<S, I["length"]>, I>>
      : unknown
    : unknown;

/** The output shape of a layer I → O on an input of shape S: the leading axes of S, then O. */
export type ApplyOut<S extends Shape, I extends Shape, O extends Shape> = IsSame<I> extends true
  ? { -readonly [K in keyof S]: S[K] }
  : IsTuple<S> extends true
    ? IsTuple<I> extends true
      ? IsTuple<O> extends true
        ? [...DropLast<S, I["length"]>, ...O]
        : Dim[]
      : Dim[]
    : Dim[];

// ---- parameter trees --------------------------------------------------------------------------

/** `{ a: X } & { b: Y }` → `{ a: X; b: Y }`, so trees read as one record. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** A layer's tree of parameters (`"init"`) or buffers (`"initState"`). */
export type TreeOf<L, W extends "init" | "initState"> = L extends { readonly [K in W]: (...args: never[]) => infer P } ? P : never;

/** The key of a layer inside a parent: its name, or its position. */
type KeyOf<L, I extends number> = L extends { readonly name: infer N extends string } ? N : `${I}`;

/** A layer's entry in its parent's tree; layers whose tree is empty add no key. */
type Entry<L, W extends "init" | "initState", I extends number> = [keyof TreeOf<L, W>] extends [never] ? unknown : { [K in KeyOf<L, I>]: TreeOf<L, W> };

type Entries<Ls extends readonly unknown[], W extends "init" | "initState", Idx extends unknown[] = []> = Ls extends readonly [infer L, ...infer Rest]
  ? Entry<L, W, Idx["length"]> & Entries<Rest, W, [...Idx, 0]>
  : unknown;

/**
 * The tree of a chain of layers, keyed like PyTorch's nn.Sequential (`"0"`, `"2"`, or a layer's
 * name); a list whose length is not known gives the untyped tree.
 */
export type ChainTree<Ls extends readonly unknown[], W extends "init" | "initState"> = number extends Ls["length"]
  ? Params
  : Simplify<Entries<Ls, W>> extends infer T extends Params
    ? T
    : Params;

type ShapeOfLeaf<T> = T extends { readonly shape: infer S extends Shape } ? S : never;

/**
 * A leaf of a tree. (Tested against `readonly unknown[]`, not `Shape`: in generic code a shape such
 * as `[H, 4]` fits `Shape` only through H's constraint, which TypeScript does not use there.)
 */
type TensorLike = { readonly shape: readonly unknown[] };

/** Paths where tree G differs from tree W (a missing or extra key, or a leaf of another shape), as messages. */
type TreeDiff<G, W, Path extends string = ""> =
  | {
      [K in keyof W & string]: K extends keyof G
        ? W[K] extends TensorLike
          ? G[K] extends TensorLike
            ? AllAgree<ShapeOfLeaf<G[K]>, ShapeOfLeaf<W[K]>> extends true
              ? never
              : `${Path}${K} is ${ShowShape<ShapeOfLeaf<G[K]>>} where the model has ${ShowShape<ShapeOfLeaf<W[K]>>}`
            : `${Path}${K} is a subtree where the model has a tensor`
          : TreeDiff<G[K], W[K], `${Path}${K}.`>
        : `${Path}${K} is missing`;
    }[keyof W & string]
  | { [K in Exclude<keyof G, keyof W> & string]: `${Path}${K} is not in the model` }[Exclude<keyof G, keyof W> & string];

/**
 * `unknown` when tree G has the keys and leaf shapes of the model's tree W (an untyped tree on
 * either side waits for run time), else a ShapeMismatch naming the op and the first paths that differ.
 */
export type TreeCheck<Op extends string, G, W> = ShapeMismatchOf<`${Op}: ${TreeDiffs<G, W>}`>;

/**
 * `unknown` when values V (`{ params, state }`, or a training state) hold the model's trees P and
 * B, else a ShapeMismatch naming the op and the paths that differ.
 */
export type ValuesCheck<Op extends string, V, P, B> = V extends { readonly params: infer VP; readonly state: infer VB }
  ? ShapeMismatchOf<`${Op}: ${DiffsUnlessSame<VP, P, "params."> | DiffsUnlessSame<VB, B, "state.">}`>
  : unknown;
/** The differences of two trees, none when they are one type (a generic tree against itself included). */
type DiffsUnlessSame<G, W, Path extends string> = Pair<G, W> extends Pair<W, G> ? never : TreeDiffs<G, W, Path>;

/** The differences of two trees as messages, none when either is untyped. */
export type TreeDiffs<G, W, Path extends string = ""> = string extends keyof G ? never : string extends keyof W ? never : TreeDiff<G, W, Path>;

/**
 * T itself when it is the expected type W (a generic tree `P` against itself included) or the
 * check passes, else the ShapeMismatch alone: for arguments whose own type is long (trees), so
 * that the message is not cut from the first line of the diagnostic.
 */
export type Checked<Check, T, W = never> = Pair<T, W> extends Pair<W, T> ? T : unknown extends Check ? T : Check;

/** The shapes of x in batches of type Bt (a union when batches have several literal shapes). */
export type BatchX<Bt> = Bt extends { readonly x: { readonly shape: infer S extends Shape } } ? S : never;

/** `unknown` when inputs of shape X end in the model's features I (or that waits for run time), else a ShapeMismatch. */
export type FeatureCheck<Op extends string, X extends Shape, I extends Shape> = IsSame<I> extends true
  ? unknown
  : IsTuple<X> extends true
    ? IsTuple<I> extends true
      ? ShapeMismatchUnless<`${Op}: the model expects features ${ShowShape<I>} on the last axes, got x ${ShowShape<X>}`, Fits<TakeLast<X, I["length"]>, I>>
      : unknown
    : unknown;

