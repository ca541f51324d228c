// Programs in the types: what may be bound to a program's inputs (run, set) and read from its
// outputs (get). Literal dimensions and dtypes are checked by the compiler; a symbolic dimension
// accepts any size (bound at run time, where the same checks run again).
import type { Expr } from "../graph/expr.js";
import type { Agree, IsTuple, OperandDType, OperandShape, ShapeMismatchOf, ShowShape } from "../shape/types.js";
import type { Shape } from "../shape/shape.js";
import type { ArrayFor, DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

/** Nodes by name, as `compile` takes inputs and outputs. */
export type Nodes<N extends string = string> = Readonly<Record<N, Expr>>;

/** The shape of a value bound to a node of shape S: symbolic dimensions become sizes. */
export type Bound<S extends Shape> = { -readonly [K in keyof S]: S[K] extends string ? number : S[K] };

/** The tensor a node holds once bound (its shape with sizes for names, its dtype). */
export type ValueOf<E> = Tensor<Bound<OperandShape<E>>, OperandDType<E> extends DType ? OperandDType<E> : DType>;

type Pair<A, B> = [A, B];
/** A dimension accepts a size: the same dimension (a type parameter meeting itself), any size for a name, a literal only itself (dynamic ones wait for run time). */
type DimBinds<A, B> = Pair<A, B> extends Pair<B, A> ? true : A extends string ? true : Agree<A, B>;
// The tail is tested first, so that a literal mismatch decides even where a generic leading
// dimension (a batch `B` against 32) leaves its own test open.
type DimsBind<S extends Shape, T extends Shape> = S extends readonly [infer s, ...infer SR extends Shape]
  ? T extends readonly [infer t, ...infer TR extends Shape]
    ? DimsBind<SR, TR> extends true
      ? DimBinds<s, t>
      : false
    : false
  : T extends readonly []
    ? true
    : false;
/** Shapes that bind; a union of shapes (some fitting, some not) waits for run time. */
type ShapeBinds<S extends Shape, T extends Shape> = IsTuple<S> extends true ? (IsTuple<T> extends true ? (true extends DimsBind<S, T> ? true : false) : true) : true;
/** One dtype literal; a union (an open dtype) waits for run time. */
type OneDType<D> = [D] extends ["f32"] ? true : [D] extends ["f64"] ? true : [D] extends ["i32"] ? true : [D] extends ["bool"] ? true : false;
type DTypeBinds<A, B> = OneDType<A> extends true ? (OneDType<B> extends true ? Pair<A, B> extends Pair<B, A> ? true : false : true) : true;

/** A dtype for messages; an open one is left out. */
type ShowDType<D> = OneDType<D> extends true ? D & string : "";

/** A node for messages: `f32[batch,784]` (an open dtype is left out). */
type ShowNode<E> = `${ShowDType<OperandDType<E>>}${ShowShape<OperandShape<E>>}`;

/** The message for a value V that input or output `Name` (node E) cannot take, or never. */
type Refusal<Op extends string, Name extends string, E, V> = [V] extends [{ readonly shape: infer T extends Shape; readonly dtype: infer D }]
  ? (DTypeBinds<OperandDType<E>, D> extends true ? ShapeBinds<OperandShape<E>, T> : false) extends true
    ? never
    : `${Op}: "${Name}" is ${ShowNode<E>}, got ${ShowDType<D>}${ShowShape<T>}`
  : [V] extends [ArrayFor<OperandDType<E> & DType>]
    ? never
    : ArrayFor<DType> extends V
      ? never
      : `${Op}: "${Name}" is ${ShowNode<E>}, got a typed array of another dtype`;

/** `unknown` when every binding fits its input, else a ShapeMismatch naming the inputs that do not. */
export type RunCheck<Op extends string, IT, B> = ShapeMismatchOf<{ [K in keyof B & keyof IT & string]: Refusal<Op, K, IT[K], B[K]> }[keyof B & keyof IT & string]>;

/** `unknown` when value V fits node E (named Name), else a ShapeMismatch. */
export type BindCheck<Op extends string, Name extends string, E, V> = ShapeMismatchOf<Refusal<Op, Name, E, V>>;
