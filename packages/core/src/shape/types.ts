/**
 * Shapes in the types. Literal dimensions are checked by the compiler; a dimension typed as plain
 * `number` or `string` (a dynamic shape) is accepted here and checked when the node is built.
 */
import type { Add, Mul, Sub } from "./decimal.js";
import type { DType, FloatDType } from "../tensor/dtype.js";
import type { Dim, Shape } from "./shape.js";

/**
 * A shape error the compiler shows: the message names the op, the shapes and the constraint. (The
 * message is wrapped so that two mismatches intersect into both, not into `never`.)
 */
export interface ShapeMismatch<Message extends string> {
  readonly "shape error": readonly [Message];
}

/**
 * `unknown` when Ok is `true`, else `ShapeMismatch<Message>` (with a note when operand shape A or B
 * has an ambiguous dimension). The message is computed before the test: in generic code, where Ok
 * stays open (a type parameter against a literal or another parameter cannot be shown equal), the
 * call fails with this type, which shows the message first.
 */
export type ShapeMismatchUnless<Message extends string, Ok, A = [], B = []> = [Ok] extends [true] ? unknown : ShapeMismatch<`${Message}${AmbiguityNote<A, B>}`>;

/**
 * `unknown` when Messages is `never` (nothing failed), else `ShapeMismatch<Messages>`. Give the
 * messages as the type argument (not written inline in a check's condition): TypeScript then
 * evaluates them before the test, so a check over a generic tree whose leaves are the same type
 * parameters resolves instead of staying open.
 */
export type ShapeMismatchOf<Messages extends string> = [Messages] extends [never] ? unknown : ShapeMismatch<Messages>;

/** `readonly [2, 3]` → `[2, 3]`: result shapes are plain tuples, so `Expr<[B, 784]>` annotations fit. */
export type Mutable<S extends Shape> = { -readonly [K in keyof S]: S[K] };

type IsLiteral<D> = number extends D ? false : string extends D ? false : true;
export type IsTuple<S extends Shape> = number extends S["length"] ? false : true;

type ShowDims<S> = S extends readonly [infer H extends Dim, ...infer T]
  ? T extends readonly []
    ? `${H}`
    : `${H},${ShowDims<T>}`
  : S extends readonly []
    ? ""
    : "…";
/** `[2, "batch"]` → `"[2,batch]"`, for messages. */
export type ShowShape<S> = `[${ShowDims<S>}]`;

// Dimension tests compare `Pair<A, B>` with patterns. Unlike `A extends 1` or tuple syntax on
// both sides (`[A] extends [B]`, which TypeScript defers while an element is generic), such a test
// resolves when a type parameter meets itself or a 1, so shape-generic functions type-check
// without casts.
type Pair<A, B> = [A, B];

/** Dimensions that may be equal: the same, or one of them dynamic (left to the run-time check). */
export type Agree<A, B> = Pair<A, B> extends Pair<B, A> ? true : IsLiteral<A> extends false ? true : IsLiteral<B> extends false ? true : false;

/** Dimensions that broadcast: equal, one of them 1, or dynamic. */
type DimFits<A, B> = Pair<A, B> extends Pair<B, A> | Pair<1, unknown> | Pair<unknown, 1> ? true : Agree<A, B>;

/** Broadcast of two dimensions, or `never` when they clash. */
type BroadcastDim<A, B> = Pair<A, B> extends Pair<B, A> | Pair<unknown, 1>
  ? A
  : Pair<A, B> extends Pair<1, unknown>
    ? B
    : IsLiteral<A> extends false
      ? B
      : IsLiteral<B> extends false
        ? A
        : never;

type BroadcastRev<A extends Shape, B extends Shape> = A extends readonly [...infer AH extends Shape, infer AL]
  ? B extends readonly [...infer BH extends Shape, infer BL]
    ? [...BroadcastRev<AH, BH>, BroadcastDim<AL, BL>]
    : Mutable<A>
  : Mutable<B>;

/** Numpy broadcasting of two shapes (dimensions that clash become `never`). */
export type Broadcast<A extends Shape, B extends Shape> = IsTuple<A> extends true
  ? IsTuple<B> extends true
    ? BroadcastRev<A, B>
    : Dim[]
  : Dim[];

/** `true` when every aligned pair of dimensions broadcasts. */
type Fits<A extends Shape, B extends Shape> = A extends readonly [...infer AH extends Shape, infer AL]
  ? B extends readonly [...infer BH extends Shape, infer BL]
    ? DimFits<AL, BL> extends true
      ? Fits<AH, BH>
      : false
    : true
  : true;

/** `unknown` when A and B broadcast, otherwise a ShapeMismatch that fails the call. */
export type BroadcastCheck<Op extends string, A extends Shape, B extends Shape> = IsTuple<A> extends true
  ? IsTuple<B> extends true
    ? ShapeMismatchUnless<`${Op}: cannot broadcast ${ShowShape<A>} with ${ShowShape<B>}`, Fits<A, B>, A, B>
    : unknown
  : unknown;

// ---- ambiguous dimensions -----------------------------------------------------------------------

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;
/** A literal dimension that is a union (`128 | 10`), as inferred when a generic helper's arguments disagree. */
type IsUnionDim<D> = IsLiteral<D> extends true ? ([D] extends [UnionToIntersection<D>] ? false : true) : false;
type HasUnionDim<S> = S extends readonly [infer H, ...infer T] ? (IsUnionDim<H> extends true ? true : HasUnionDim<T>) : false;

/**
 * The ShapeMismatch of a failed check, `Op: What`, with a note when an operand has a dimension
 * inferred as a union of literals (computed only once a check has failed; in generic code the
 * note stays unresolved at the end of the message).
 */
export type Mismatch<Op extends string, A, B, What extends string> = ShapeMismatch<`${Op}: ${What}${AmbiguityNote<A, B>}`>;
export type AmbiguityNote<A, B> = true extends HasUnionDim<A> | HasUnionDim<B>
  ? "; a dimension is ambiguous: a union of literals inferred where a generic helper's arguments disagree (mark it NoInfer in one of the helper's parameters)"
  : "";

/** `true` when S broadcasts to T: no longer, and each aligned dimension equal, 1 or dynamic. */
type FitsInto<S extends Shape, T extends Shape> = S extends readonly [...infer SH extends Shape, infer SL]
  ? T extends readonly [...infer TH extends Shape, infer TL]
    ? (Pair<SL, TL> extends Pair<TL, SL> | Pair<1, unknown> ? true : Agree<SL, TL>) extends true
      ? FitsInto<SH, TH>
      : false
    : false
  : true;

/** `unknown` when S broadcasts to T (or that is only known at run time), otherwise a ShapeMismatch. */
export type BroadcastToCheck<S extends Shape, T extends Shape> = IsTuple<S> extends true
  ? IsTuple<T> extends true
    ? FitsInto<S, T> extends true
      ? unknown
      : ShapeMismatch<`broadcastTo: cannot broadcast ${ShowShape<S>} to ${ShowShape<T>}`>
    : unknown
  : unknown;

// ---- axes ---------------------------------------------------------------------------------------

type Tuple<N extends number, T extends unknown[] = []> = T["length"] extends N ? T : Tuple<N, [...T, 0]>;

/** A literal axis made non-negative against rank L, or `never` when out of range. */
export type NormAxis<A extends number, L extends number> = `${A}` extends `-${infer N extends number}`
  ? Tuple<L> extends [...Tuple<N>, ...infer R]
    ? R["length"]
    : never
  : Tuple<L> extends [...Tuple<A>, unknown, ...unknown[]]
    ? A
    : never;

type AxesOf<A extends number | readonly number[]> = A extends readonly number[] ? A[number] : A;

type NormAxes<A extends number, L extends number> = A extends number ? NormAxis<A, L> : never;

/** `unknown` when every axis is in range for S, otherwise a ShapeMismatch. */
export type AxesCheck<Op extends string, S extends Shape, A extends number | readonly number[]> = IsTuple<S> extends true
  ? number extends AxesOf<A>
    ? unknown
    : [NormAxes<AxesOf<A>, S["length"]>] extends [never]
      ? ShapeMismatch<`${Op}: axis ${AxesOf<A>} is out of range for ${ShowShape<S>}`>
      : HasNeverAxis<AxesOf<A>, S["length"]> extends true
        ? ShapeMismatch<`${Op}: axis ${BadAxes<AxesOf<A>, S["length"]>} is out of range for ${ShowShape<S>}`>
        : unknown
  : unknown;
/** The axes out of range for rank L. */
type BadAxes<A extends number, L extends number> = A extends number ? ([NormAxis<A, L>] extends [never] ? A : never) : never;
type HasNeverAxis<A extends number, L extends number> = true extends (A extends number ? ([NormAxis<A, L>] extends [never] ? true : false) : never)
  ? true
  : false;

type Reduce<S extends Shape, Ax, Keep extends boolean, I extends unknown[] = []> = S extends readonly [infer H, ...infer T extends Shape]
  ? I["length"] extends Ax
    ? Keep extends true
      ? [1, ...Reduce<T, Ax, Keep, [...I, 0]>]
      : Reduce<T, Ax, Keep, [...I, 0]>
    : [H, ...Reduce<T, Ax, Keep, [...I, 0]>]
  : [];

/** The shape left after reducing axes A of S (all axes when A is undefined). */
export type Reduced<S extends Shape, A extends number | readonly number[] | undefined, Keep extends boolean> = A extends undefined
  ? Keep extends true
    ? { [K in keyof S]: 1 }
    : []
  : IsTuple<S> extends true
    ? number extends AxesOf<NonNullable<A>>
      ? Dim[]
      : Reduce<S, NormAxes<AxesOf<NonNullable<A>>, S["length"]>, Keep>
    : Dim[];

/** S with its dimensions reordered by the permutation P. */
export type Permuted<S extends Shape, P extends readonly number[]> = IsTuple<S> extends true
  ? { -readonly [K in keyof P]: P[K] extends number ? S[NormAxis<P[K], S["length"]>] : never }
  : Dim[];

type Range<L extends number, I extends 0[] = []> = I["length"] extends L ? never : I["length"] | Range<L, [...I, 0]>;

/** `unknown` when P (literal) is a permutation of S's axes, otherwise a ShapeMismatch. */
export type PermCheck<S extends Shape, P extends readonly number[]> = IsTuple<S> extends true
  ? IsTuple<P> extends true
    ? P["length"] extends S["length"]
      ? [Exclude<Range<S["length"]>, NormAxes<P[number], S["length"]>>] extends [never]
        ? unknown
        : ShapeMismatch<`transpose: expected a permutation of the axes of ${ShowShape<S>}, got ${ShowShape<P>}`>
      : ShapeMismatch<`transpose: expected ${S["length"]} axes for ${ShowShape<S>}, got ${ShowShape<P>}`>
    : unknown
  : unknown;

// ---- reshape, concat, slice ---------------------------------------------------------------------

/** Product of the numeric dimensions of a tuple shape (`number` when one is not literal). */
type Product<S extends Shape, Acc extends number = 1> = S extends readonly [infer H, ...infer T extends Shape]
  ? Product<T, H extends number ? Mul<Acc, H> : Acc>
  : Acc;
/** The names in a shape; `string` when one is dynamic. */
type Names<S extends Shape> = Extract<S[number], string>;
type ShowCount<S extends Shape> = [Names<S>] extends [never] ? `${Product<S>}` : `${Product<S>}·${Names<S>}`;

/** Drops the leading dimensions S and T share, so `[B, 28, 28]` → `[B, 784]` compares 28·28 with 784 even for a generic B. */
type DropCommon<S extends Shape, T extends Shape> = S extends readonly [infer s, ...infer SR extends Shape]
  ? T extends readonly [infer t, ...infer TR extends Shape]
    ? Pair<s, t> extends Pair<t, s>
      ? DropCommon<SR, TR>
      : [S, T]
    : [S, T]
  : [S, T];

/** What a shape's element count is made of: the product of its numbers and its names. */
type Count<S extends Shape> = [Product<S>, Names<S>];

/**
 * `unknown` when S and T hold as many elements (equal products of numbers, the same names; how
 * often a name occurs is left to the run-time check) or when that is only known at run time;
 * otherwise a ShapeMismatch.
 */
export type ReshapeCheck<S extends Shape, T extends Shape> = IsTuple<S> extends true
  ? IsTuple<T> extends true
    ? DropCommon<S, T> extends [infer S1 extends Shape, infer T1 extends Shape]
      ? number extends Product<S1> | Product<T1>
        ? unknown
        : string extends Names<S1> | Names<T1>
          ? unknown
          : Pair<Count<S1>, Count<T1>> extends Pair<Count<T1>, Count<S1>>
            ? unknown
            : ShapeMismatch<`reshape: ${ShowShape<S>} has ${ShowCount<S>} elements, ${ShowShape<T>} has ${ShowCount<T>}`>
      : unknown
    : unknown
  : unknown;

type ShapeOf<X> = X extends { readonly shape: infer S extends Shape } ? S : never;
type ShapesOf<Xs extends readonly unknown[]> = { [K in keyof Xs]: ShapeOf<Xs[K]> };

/** S and F agree on every axis but K. */
type OffAxisAgree<F extends Shape, S extends Shape, K, I extends 0[] = []> = F extends readonly [infer f, ...infer FR extends Shape]
  ? S extends readonly [infer s, ...infer SR extends Shape]
    ? (I["length"] extends K ? true : Agree<f, s>) extends true
      ? OffAxisAgree<FR, SR, K, [...I, 0]>
      : false
    : false
  : S extends readonly []
    ? true
    : false;

// Each operand is checked on its own (the checks intersect), not inside the test of the one
// before, so a check that generic code leaves open (`[B, 4]` with `[C, 4]`) keeps its message.
type ConcatShapes<F extends Shape, Ss extends readonly Shape[], K extends number, A extends number> = Ss extends readonly [
  infer H extends Shape,
  ...infer T extends readonly Shape[],
]
  ? (IsTuple<H> extends true ? ShapeMismatchUnless<`concat: expected shapes equal off axis ${A}, got ${ShowShape<F>} and ${ShowShape<H>}`, OffAxisAgree<F, H, K>> : unknown) &
      ConcatShapes<F, T, K, A>
  : unknown;

/** `true` unless a dimension on the axis is a literal name (a dynamic `string` waits for run time). */
type NumericAxis<D> = [Extract<D, string>] extends [never] ? true : string extends Extract<D, string> ? true : false;
type ShowShapes<Ss> = Ss extends readonly [infer H, ...infer T] ? (T extends readonly [] ? ShowShape<H> : `${ShowShape<H>} and ${ShowShapes<T>}`) : "";

/** `unknown` when the operands' shapes are equal off `axis` (or only known at run time), else a ShapeMismatch. */
export type ConcatCheck<Xs extends readonly unknown[], A extends number> = number extends A
  ? unknown
  : ShapesOf<Xs> extends readonly [infer F extends Shape, ...infer T extends readonly Shape[]]
    ? IsTuple<F> extends true
      ? [NormAxis<A, F["length"]>] extends [never]
        ? ShapeMismatch<`concat: axis ${A} is out of range for ${ShowShape<F>}`>
        : ConcatShapes<F, T, NormAxis<A, F["length"]>, A> &
            ShapeMismatchUnless<`concat: expected numeric dimensions on axis ${A}, got ${ShowShapes<[F, ...T]>}`, NumericAxis<AxisDims<[F, ...T], NormAxis<A, F["length"]>>>>
      : unknown
    : unknown;

type AxisDims<Ss extends readonly Shape[], K extends number> = { [I in keyof Ss]: Ss[I][K] }[number];

type SumAxis<Ss extends readonly Shape[], K extends number, Acc extends number = 0> = Ss extends readonly [
  infer H extends Shape,
  ...infer T extends readonly Shape[],
]
  ? H[K] extends number
    ? SumAxis<T, K, Add<Acc, H[K]>>
    : number
  : Acc;

/** The shape of `concat(xs, A)`: the first operand's, with the axis dimension summed (`number` when unknown). */
export type Concatenated<Xs extends readonly unknown[], A extends number> = number extends A
  ? Dim[]
  : ShapesOf<Xs> extends readonly [infer F extends Shape, ...infer T extends readonly Shape[]]
    ? IsTuple<F> extends true
      ? WithDim<F, NormAxis<A, F["length"]>, SumAxis<[F, ...T], NormAxis<A, F["length"]>>>
      : Dim[]
    : Dim[];

/** S with dimension K replaced by N. */
type WithDim<S extends Shape, K extends number, N extends Dim> = { -readonly [I in keyof S]: I extends `${K}` ? N : S[I] };

type IsNever<X> = [X] extends [never] ? true : false;

/** A slice bound made non-negative against length N (Python style; omitted means N), or `never` if below 0. */
type Bound<I extends number | undefined, N extends number> = I extends number ? (`${I}` extends `-${infer M extends number}` ? Sub<N, M> : I) : N;

/** The length of `slice(…, start, end)` along a dimension N; `never` unless 0 ≤ start ≤ end ≤ N. */
type SliceLength<N extends number, St extends number, E extends number | undefined> = [Bound<St, N>, Bound<E, N>] extends [
  infer S0 extends number,
  infer E0 extends number,
]
  ? true extends IsNever<S0> | IsNever<E0> | IsNever<Sub<N, E0>>
    ? never
    : Sub<E0, S0>
  : never;

/** The shape of `slice(x, A, St, E)`: S with the sliced dimension's new length when literal, else `number`. */
export type Sliced<S extends Shape, A extends number, St extends number, E extends number | undefined> = IsTuple<S> extends true
  ? number extends A
    ? Dim[]
    : S[NormAxis<A, S["length"]>] extends infer N extends number
      ? WithDim<S, NormAxis<A, S["length"]>, SliceLength<N, St, E>>
      : WithDim<S, NormAxis<A, S["length"]>, number>
  : Dim[];

/** `unknown` unless the slice bounds and dimension are literal and outside 0 ≤ start ≤ end ≤ dimension. */
export type SliceCheck<S extends Shape, A extends number, St extends number, E extends number | undefined> = IsTuple<S> extends true
  ? number extends A
    ? unknown
    : S[NormAxis<A, S["length"]>] extends infer N extends number
      ? [SliceLength<N, St, E>] extends [never]
        ? ShapeMismatch<`slice: expected 0 ≤ start ≤ end ≤ ${N} on axis ${A} of ${ShowShape<S>}, got start ${St}${E extends number ? `, end ${E}` : ""}`>
        : unknown
      : S[NormAxis<A, S["length"]>] extends infer N extends string
        ? string extends N
          ? unknown
          : ShapeMismatch<`slice: expected a numeric dimension on axis ${A} of ${ShowShape<S>}, got ${N}`>
        : unknown
  : unknown;

// ---- operands: shapes and dtypes of whole arguments ---------------------------------------------

/** The shape of an operand (a number is a scalar). */
export type OperandShape<X> = X extends { readonly shape: infer S extends Shape } ? S : [];
/** The dtype of an operand (`never` for a number, which takes the other operand's). */
export type OperandDType<X> = X extends { readonly dtype: infer D extends DType } ? D : never;

/** One dtype literal; a union (such as an `Expr` whose dtype is left open) is checked at run time. */
type OneDType<D> = [D] extends ["f32"] ? true : [D] extends ["f64"] ? true : [D] extends ["i32"] ? true : [D] extends ["bool"] ? true : false;

/** `true` unless both dtypes are single literals that differ (a number takes the other's dtype). */
export type DTypeAgree<A, B> =
  Pair<A, B> extends Pair<B, A>
    ? true
    : [A] extends [never]
      ? true
      : [B] extends [never]
        ? true
        : OneDType<A> extends true
        ? OneDType<B> extends true
          ? false
          : true
        : true;

/** The dtype of a result from operands A and B: the single literal among them, or A. */
export type JointDType<A, B> = Pair<A, B> extends Pair<B, A> ? A : [A] extends [never] ? B : [B] extends [never] ? A : OneDType<A> extends true ? A : B;

/** `unknown` when X and Y share a dtype (or that is left to run time), else a ShapeMismatch naming both. */
export type DTypeCheck<Op extends string, X, Y> =
  DTypeAgree<OperandDType<X>, OperandDType<Y>> extends true
    ? unknown
    : ShapeMismatch<`${Op}: expected operands of one dtype, got ${ShowOperand<X>} and ${ShowOperand<Y>} (cast one with cast(x, dtype))`>;

/** `f32[3,4]`, for messages. */
type ShowOperand<X> = `${OperandDType<X>}${ShowShape<OperandShape<X>>}`;

/**
 * `unknown` for a float or an open dtype (`Expr<S>`, checked when the node is built); for an integer
 * or bool input, a ShapeMismatch naming the op. (The mismatch is joined with a float-typed node so
 * that a generic `D extends FloatDType`, which leaves the test open, still fits.)
 */
export type FloatInput<Op extends string, S extends Shape, D> = [D] extends ["i32"] | ["bool"] | ["i32" | "bool"]
  ? ShapeMismatch<`${Op}: expected a float input, got ${D & string}${ShowShape<S>} (cast it with cast(x, "f32"))`> | { readonly shape: S; readonly dtype: FloatDType }
  : unknown;

/** `unknown` for a scalar (or a shape known only at run time), else a ShapeMismatch naming the op's requirement. */
export type ScalarCheck<Op extends string, S extends Shape, Hint extends string> = IsTuple<S> extends true
  ? S extends readonly []
    ? unknown
    : ShapeMismatch<`${Op}: expected a scalar, got ${ShowShape<S>} (${Hint})`>
  : unknown;

/** `unknown` when two shapes are equal (dimensions agree; dynamic ones wait for run time), else a ShapeMismatch. */
export type SameShapeCheck<Op extends string, A extends Shape, B extends Shape, What extends string = "operands"> = ShapeMismatchUnless<
  `${Op}: expected ${What} of one shape, got ${ShowShape<A>} and ${ShowShape<B>}`,
  SameShapes<A, B>,
  A,
  B
>;
type SameShapes<A extends Shape, B extends Shape> = Pair<A, B> extends Pair<B, A> ? true : IsTuple<A> extends true ? (IsTuple<B> extends true ? AllAgree<A, B> : true) : true;

/** Same rank and every pair of dimensions agrees. */
export type AllAgree<A extends Shape, B extends Shape> = A extends readonly [infer a, ...infer AR extends Shape]
  ? B extends readonly [infer b, ...infer BR extends Shape]
    ? Agree<a, b> extends true
      ? AllAgree<AR, BR>
      : false
    : false
  : B extends readonly []
    ? true
    : false;

/** `unknown` when two operands fit elementwise (dtypes agree, shapes broadcast), else a ShapeMismatch. */
export type BinaryCheck<Op extends string, X, Y> = [X, Y] extends [number, unknown] | [unknown, number]
  ? unknown
  : DTypeAgree<OperandDType<X>, OperandDType<Y>> extends true
    ? BroadcastCheck<Op, OperandShape<X>, OperandShape<Y>>
    : DTypeCheck<Op, X, Y>;

/** The shape of an elementwise result: a number takes the other's shape, equal shapes stay, else broadcast. */
export type BinaryShape<X, Y> = Y extends number
  ? OperandShape<X>
  : X extends number
    ? OperandShape<Y>
    : Pair<OperandShape<X>, OperandShape<Y>> extends Pair<OperandShape<Y>, OperandShape<X>>
      ? OperandShape<X>
      : Broadcast<OperandShape<X>, OperandShape<Y>>;
