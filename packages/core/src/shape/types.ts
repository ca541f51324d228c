/**
 * Shapes in the types. Literal dimensions are checked by the compiler; a dimension typed as plain
 * `number` or `string` (a dynamic shape) is accepted here and checked when the node is built.
 */
import type { Dim, Shape } from "./shape.js";

/** A shape error the compiler shows: the message names the op, the shapes and the constraint. */
export interface ShapeMismatch<Message extends string> {
  readonly "shape error": Message;
}

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

/** Broadcast of two dimensions, or `never` when they clash. */
type BroadcastDim<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? A
    : BroadcastLoose<A, B>
  : BroadcastLoose<A, B>;
type BroadcastLoose<A, B> = A extends 1
  ? B
  : B extends 1
    ? A
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

type HasNever<T> = T extends readonly [infer H, ...infer R] ? ([H] extends [never] ? true : HasNever<R>) : false;

/** `unknown` when A and B broadcast, otherwise a ShapeMismatch that fails the call. */
export type BroadcastCheck<Op extends string, A extends Shape, B extends Shape> =
  HasNever<Broadcast<A, B>> extends true ? ShapeMismatch<`${Op}: cannot broadcast ${ShowShape<A>} with ${ShowShape<B>}`> : unknown;

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
        ? ShapeMismatch<`${Op}: an axis in ${AxesOf<A>} is out of range for ${ShowShape<S>}`>
        : unknown
  : unknown;
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
  ? { [K in keyof P]: P[K] extends number ? S[NormAxis<P[K], S["length"]>] : never }
  : Dim[];

/** `unknown` when P is a permutation of S's axes (checked for length here, fully at run time). */
export type PermCheck<S extends Shape, P extends readonly number[]> = IsTuple<S> extends true
  ? IsTuple<P> extends true
    ? P["length"] extends S["length"]
      ? unknown
      : ShapeMismatch<`transpose: expected ${S["length"]} axes for ${ShowShape<S>}, got ${P["length"]}`>
    : unknown
  : unknown;
