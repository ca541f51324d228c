import { type Expr, isOp } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type ConcreteShape, type Dim, type Shape, ShapeError, ValueError, broadcastShapes, sameShape, showShape, sizeOf } from "../shape/shape.js";
import type { Agree, Broadcast, BroadcastCheck, DTypeAgree, DTypeCheck, IsTuple, JointDType, OperandDType, OperandShape, ShapeMismatch, ShapeMismatchUnless, ShowShape } from "../shape/types.js";
import { allocate, isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastTo } from "./broadcast.js";
import { reshape } from "./reshape.js";
import { transposeLast2 } from "./transpose.js";

export const matmulOp: Primitive<"matmul", Record<string, never>> = {
  name: "matmul",
  traits: { role: "kernel", cheap: false, splat: "none", differentiable: true },
  infer: ([a, b]) => {
    const [x, y] = [a as Expr, b as Expr];
    if (x.rank < 2 || y.rank < 2 || !sameShape(x.shape.slice(0, -2), y.shape.slice(0, -2)))
      throw new ShapeError("matmul", "[...B, M, K] and [...B, K, N] with one batch shape B", `${showShape(x.shape)} and ${showShape(y.shape)}`);
    if (x.shape[x.rank - 1] !== y.shape[y.rank - 2])
      throw new ShapeError("matmul", "inner dimensions to match", `${showShape(x.shape)} and ${showShape(y.shape)}`);
    if (x.dtype !== y.dtype || !isFloat(x.dtype)) throw new ValueError("matmul", "two operands of one float dtype", `${x.dtype} and ${y.dtype}`);
    return { shape: [...x.shape.slice(0, -1), y.shape[y.rank - 1] as Dim], dtype: x.dtype };
  },
  evaluate: ([a, b], _p, out) => {
    const [x, y] = [a as Tensor, b as Tensor];
    const xs = x.shape as ConcreteShape;
    const r = xs.length;
    const [m, k, n] = [xs[r - 2] as number, xs[r - 1] as number, (y.shape as ConcreteShape)[r - 1] as number];
    const batch = sizeOf(xs.slice(0, -2));
    const z = allocate(out.dtype, batch * m * n);
    const acc = new Float64Array(n);
    for (let bi = 0; bi < batch; bi++) {
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let p = 0; p < k; p++) {
          const aip = x.data[bi * m * k + i * k + p] as number;
          const row = bi * k * n + p * n;
          for (let j = 0; j < n; j++) acc[j] = (acc[j] as number) + aip * (y.data[row + j] as number);
        }
        z.set(acc, bi * m * n + i * n);
      }
    }
    return new Tensor(out.shape, out.dtype, z);
  },
  // d(A·B) = dA·B + A·dB, so Ā = Ḡ·Bᵀ and B̄ = Aᵀ·Ḡ. An operand that is a transposed view (a
  // weight stored [out, in] and read as Wᵀ) gets its gradient as the transpose of the swapped
  // product, B̄ = (Ḡᵀ·A)ᵀ, so the view's own gradient, W̄ = Ḡᵀ·A, is computed in W's layout and
  // later loops read it contiguously. Each element is the same products summed in the same order.
  vjp: ({ inputs: [a, b], outGrad, wants }) => {
    const [x, y] = [a as Expr, b as Expr];
    const t = transposeLast2;
    return [
      wants[0] ? (swapsLast2(x) ? t(matmul(y, t(outGrad))) : matmul(outGrad, t(y))) : null,
      wants[1] ? (swapsLast2(y) ? t(matmul(t(outGrad), x)) : matmul(t(x), outGrad)) : null,
    ];
  },
  print: { kind: "infix", symbol: "@", latex: "", prec: 2 },
  domain: (s) => {
    const batch = s.shape(0, 1);
    const [m, k, n] = [s.int(1, 4), s.int(1, 4), s.int(1, 4)];
    return {
      inputs: [
        { shape: [...batch, m, k], min: -2, max: 2 },
        { shape: [...batch, k, n], min: -2, max: 2 },
      ],
      params: {},
    };
  },
};

/** Whether a node is a view of another with its last two axes swapped (a batch of transposed matrices). */
function swapsLast2(x: Expr): boolean {
  if (!isOp(x, "transpose")) return false;
  const r = x.rank;
  return x.params.perm.every((a, i) => a === (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
}

/** The left operand as [batch, [M], K]; a vector [K] has no batch and no M. */
type Split2<S extends Shape> = S extends readonly [...infer B extends Shape, infer M, infer K] ? [B, [M], K] : S extends readonly [infer K] ? [[], [], K] : never;
/** The right operand as [batch, K, [N]]; a vector [K] has no batch and no N. */
type Split2R<S extends Shape> = S extends readonly [...infer B extends Shape, infer K, infer N] ? [B, K, [N]] : S extends readonly [infer K] ? [[], K, []] : never;

/** `unknown` when A @ B fits (dtypes agree, inner dimensions agree, batches broadcast), else a ShapeMismatch. */
type MatmulCheck<X, Y, A extends Shape = OperandShape<X>, B extends Shape = OperandShape<Y>> =
  DTypeAgree<OperandDType<X>, OperandDType<Y>> extends false
    ? DTypeCheck<"matmul", X, Y>
    : IsTuple<A> extends true
      ? IsTuple<B> extends true
        ? [Split2<A>, Split2R<B>] extends [[infer BA extends Shape, unknown, infer KA], [infer BB extends Shape, infer KB, unknown]]
          ? ShapeMismatchUnless<`matmul: expected inner dimensions to match, got ${ShowShape<A>} and ${ShowShape<B>}`, Agree<KA, KB>, A, B> &
              BroadcastCheck<"matmul: batch dimensions", BA, BB>
          : ShapeMismatch<`matmul: expected operands of rank ≥ 1, got ${ShowShape<A>} and ${ShowShape<B>}`>
        : unknown
      : unknown;

/** The shape of A @ B: broadcast batches, then M and N (each dropped for a vector operand). */
type MatmulShape<A extends Shape, B extends Shape> = [Split2<A>, Split2R<B>] extends [
  [infer BA extends Shape, infer M extends Dim[], unknown],
  [infer BB extends Shape, unknown, infer N extends Dim[]],
]
  ? [...(Pair<BA, BB> extends Pair<BB, BA> ? BA : Broadcast<BA, BB>), ...M, ...N]
  : Dim[];
type Pair<A, B> = [A, B];

/**
 * Matrix product with numpy semantics: batches broadcast, a vector operand is a row (left) or column (right).
 * One signature over whole operands, so a mistake is reported on `b` as a `ShapeMismatch` naming both shapes.
 * @example
 * matmul(input("x", ["batch", 784]), input("w", [784, 128]));   // Expr<["batch", 128]>
 */
export function matmul<X extends Expr, Y extends Expr>(
  a: X,
  b: Y & MatmulCheck<X, Y>,
): Expr<MatmulShape<OperandShape<X>, OperandShape<Y>>, JointDType<OperandDType<X>, OperandDType<Y>>>;
export function matmul(a: Expr, b: Expr): Expr {
  if (a.rank === 0 || b.rank === 0) throw new ShapeError("matmul", "operands of rank ≥ 1", `${showShape(a.shape)} and ${showShape(b.shape)}`, "use mul for scalars");
  const x = a.rank === 1 ? reshape(a, [1, a.shape[0] as Dim]) : a;
  const y = b.rank === 1 ? reshape(b, [b.shape[0] as Dim, 1]) : b;
  if (x.shape[x.rank - 1] !== y.shape[y.rank - 2])
    throw new ShapeError("matmul", "inner dimensions to match", `${showShape(a.shape)} and ${showShape(b.shape)}`, "transpose an operand if it is laid out the other way");
  const batch = broadcastShapes("matmul", x.shape.slice(0, -2), y.shape.slice(0, -2));
  const fit = (e: Expr): Expr => broadcastTo(e, [...batch, ...e.shape.slice(-2)]);
  const z = apply(matmulOp, [fit(x), fit(y)], {});
  const shape = [...batch, ...(a.rank === 1 ? [] : [x.shape[x.rank - 2] as Dim]), ...(b.rank === 1 ? [] : [y.shape[y.rank - 1] as Dim])];
  return reshape(z, shape);
}
