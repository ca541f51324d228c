import { type Expr, isOp, retype } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type ConcreteShape, type Shape, ShapeError, stridesOf } from "../shape/shape.js";
import type { PermCheck, Permuted } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { readStrided } from "./elementwise.js";

export interface TransposeParams {
  /** Output axis i is input axis perm[i]. */
  readonly perm: readonly number[];
}

const inverse = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
};

export const transposeOp: Primitive<"transpose", TransposeParams> = {
  name: "transpose",
  traits: { role: "view", cheap: false, splat: "move", differentiable: true },
  infer: ([x], p) => {
    const xs = (x as Expr).shape;
    const ok = p.perm.length === xs.length && [...p.perm].sort((a, b) => a - b).every((a, i) => a === i);
    if (!ok) throw new ShapeError("transpose", `a permutation of 0…${xs.length - 1}`, `[${p.perm.join(",")}]`);
    return { shape: p.perm.map((a) => xs[a] as Shape[number]), dtype: (x as Expr).dtype };
  },
  evaluate: ([x], p, out) => {
    const src = x as Tensor;
    const inStrides = stridesOf(src.shape as ConcreteShape);
    const strides = p.perm.map((a) => inStrides[a] as number);
    return readStrided(src, strides, out);
  },
  // Permuting axes back undoes the permutation.
  vjp: ({ outGrad, params }) => [transpose(outGrad, inverse(params.perm))],
  print: {
    kind: "custom",
    text: ([x], p) => (p.perm.length === 2 ? `${x}ᵀ` : `transpose(${x}, [${p.perm.join(",")}])`),
    latex: ([x], p) => (p.perm.length === 2 ? `{${x}}^{\\top}` : `\\operatorname{transpose}_{${p.perm.join(",")}}${x}`),
    atomArgs: true,
  },
  domain: (s) => {
    const shape = s.shape(1, 3);
    const perm = shape.map((_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = s.int(0, i);
      [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
    }
    return { inputs: [{ shape, min: -3, max: 3 }], params: { perm } };
  },
};

/**
 * Permutes axes (default: reverses them); `transpose(x)` of a matrix is xᵀ.
 * @example
 * transpose(input("w", [128, 784]));   // Expr<[784, 128]>
 */
export function transpose<S extends Shape, D extends DType, const P extends readonly number[] = never>(
  x: Expr<S, D>,
  perm?: P & PermCheck<S, P>,
): Expr<NoInfer<Transposed<S, P>>, D> {
  const axes: readonly number[] = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const norm = axes.map((a) => (a < 0 ? a + x.rank : a));
  if (norm.every((a, i) => a === i) && norm.length === x.rank) return retype<Transposed<S, P>, D>(x);
  if (isOp(x, "transpose")) {
    // Two permutations compose into one.
    const first = x.params.perm;
    return retype<Transposed<S, P>, D>(transpose(x.inputs[0] as Expr, norm.map((a) => first[a] as number)));
  }
  return apply(transposeOp, [x], { perm: norm }) as Expr<Transposed<S, P>, D>;
}

/** The result shape: S permuted by P, or reversed when P is omitted. */
type Transposed<S extends Shape, P extends readonly number[]> = [P] extends [never] ? Reversed<S> : Permuted<S, P>;
type Reversed<S extends Shape> = S extends readonly [infer H, ...infer T extends Shape] ? [...Reversed<T>, H] : S extends readonly [] ? [] : Shape[number][];

/** Swaps the last two axes (matrix transpose of a batch). */
export function transposeLast2(x: Expr): Expr {
  const perm = x.shape.map((_, i) => i);
  const r = x.rank;
  [perm[r - 2], perm[r - 1]] = [r - 1, r - 2];
  return transpose(x, perm);
}
