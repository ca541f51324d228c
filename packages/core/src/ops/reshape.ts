import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type Dim, type Shape, ShapeError, sameShape, showShape } from "../shape/shape.js";
import type { IsTuple, Mutable, ShapeMismatch, ShowShape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

export interface ReshapeParams {
  readonly shape: Shape;
}

/** Numeric product and sorted names of a shape: two shapes hold as many elements iff both agree. */
function count(shape: Shape): { product: number; names: string } {
  let product = 1;
  const names: string[] = [];
  for (const d of shape) typeof d === "number" ? (product *= d) : names.push(d);
  return { product, names: names.sort().join("·") };
}

const withoutUnits = (shape: Shape): Shape => shape.filter((d) => d !== 1);

export const reshapeOp: Primitive<"reshape", ReshapeParams> = {
  name: "reshape",
  infer: ([x], p) => {
    const from = count((x as Expr).shape);
    const to = count(p.shape);
    if (from.product !== to.product || from.names !== to.names)
      throw new ShapeError(
        "reshape",
        `a shape with as many elements as ${showShape((x as Expr).shape)}`,
        showShape(p.shape),
        "the products of the dimensions must be equal",
      );
    return { shape: p.shape, dtype: (x as Expr).dtype };
  },
  evaluate: ([x], _p, out) => new Tensor(out.shape, out.dtype, (x as Tensor).data),
  // Reshaping moves no element: the gradient is reshaped back.
  vjp: ({ inputs: [x], outGrad }) => [reshape(outGrad, (x as Expr).shape)],
  print: {
    kind: "custom",
    text: ([x], p) => `reshape(${x}, ${showShape(p.shape)})`,
    latex: ([x]) => x as string,
    // Adding or dropping axes of length 1 changes no value a reader sees.
    transparentWhen: (p, [x]) => sameShape(withoutUnits(p.shape), withoutUnits((x as Expr).shape)),
  },
  domain: (s) => {
    const shape = s.shape(1, 3);
    const n = shape.reduce((a, b) => a * b, 1);
    const to = s.pick([[n], [1, n], [n, 1]]);
    return { inputs: [{ shape, min: -3, max: 3 }], params: { shape: to } };
  },
};

type Repeat<T extends unknown[], N extends number, Acc extends unknown[] = [], I extends unknown[] = []> = I["length"] extends N
  ? Acc
  : Repeat<T, N, [...Acc, ...T], [...I, 0]>;
/** The element count of a small literal shape, counted with tuples. */
type Product<S extends Shape, Acc extends unknown[] = [0]> = S extends readonly [infer H extends number, ...infer T extends Shape]
  ? Product<T, Repeat<Acc, H>>
  : Acc["length"];
type SmallDim = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16;
/** Rank ≤ 3 and literal dimensions ≤ 16: small enough to count at the type level. */
type Small<S extends Shape> = IsTuple<S> extends true
  ? S["length"] extends 0 | 1 | 2 | 3
    ? S[number] extends SmallDim
      ? true
      : false
    : false
  : false;

/** `unknown` when S and T hold as many elements (checked for small literal shapes), else a ShapeMismatch. */
export type ReshapeCheck<S extends Shape, T extends Shape> = Small<S> extends true
  ? Small<T> extends true
    ? Product<S> extends Product<T>
      ? unknown
      : ShapeMismatch<`reshape: ${ShowShape<S>} has ${Product<S> & number} elements, ${ShowShape<T>} has ${Product<T> & number}`>
    : unknown
  : unknown;

/**
 * The same elements in a new shape (row-major order); names must match as a multiset.
 * @example
 * reshape(input("img", ["batch", 28, 28]), ["batch", 784]);
 */
export function reshape<S extends Shape, D extends DType, const T extends Shape>(x: Expr<S, D>, shape: T & ReshapeCheck<S, T>): Expr<Mutable<T>, D> {
  const target: readonly Dim[] = shape;
  if (sameShape(x.shape, target)) return x as Expr as Expr<Mutable<T>, D>;
  const inner = x.op === "reshape" ? (x.inputs[0] as Expr) : x;
  if (sameShape(inner.shape, target)) return inner as Expr as Expr<Mutable<T>, D>;
  return apply(reshapeOp, [inner], { shape: [...target] }) as Expr<Mutable<T>, D>;
}
