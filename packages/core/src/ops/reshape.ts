import { type Expr, retype } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type Dim, type Shape, ShapeError, sameShape, showShape, sizeOf } from "../shape/shape.js";
import type { Mutable, ReshapeCheck } from "../shape/types.js";
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
  traits: { role: "alias", cheap: false, splat: "move", differentiable: true },
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
    const n = sizeOf(shape);
    const to = s.pick([[n], [1, n], [n, 1]]);
    return { inputs: [{ shape, min: -3, max: 3 }], params: { shape: to } };
  },
};

/**
 * The same elements in a new shape (row-major order); names must match as a multiset.
 * @example
 * reshape(input("img", ["batch", 28, 28]), ["batch", 784]);
 */
export function reshape<S extends Shape, D extends DType, const T extends Shape>(x: Expr<S, D>, shape: T & ReshapeCheck<S, T>): Expr<Mutable<T>, D> {
  const target: readonly Dim[] = shape;
  if (sameShape(x.shape, target)) return retype<Mutable<T>, D>(x);
  const inner = x.op === "reshape" ? (x.inputs[0] as Expr) : x;
  if (sameShape(inner.shape, target)) return retype<Mutable<T>, D>(inner);
  return apply(reshapeOp, [inner], { shape: [...target] }) as Expr<Mutable<T>, D>;
}
