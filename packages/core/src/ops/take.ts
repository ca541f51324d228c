import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type ConcreteShape, type Dim, type Shape, ShapeError, ValueError, normalizeAxis, sizeOf } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import { allocate } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastTo } from "./broadcast.js";
import { cast } from "./cast.js";
import { equal } from "./compare.js";
import { constant } from "./constant.js";
import { mul } from "./mul.js";
import { reshape } from "./reshape.js";
import { sum } from "./sum.js";

export interface TakeParams {
  readonly axis: number;
  /** The composite that picks class labels with this take (oneHot, crossEntropy), named by its range error. */
  readonly op?: string;
}

export const takeOp: Primitive<"take", TakeParams> = {
  name: "take",
  traits: { role: "kernel", cheap: false, splat: "none", differentiable: true },
  infer: ([x, idx], p) => {
    const xe = x as Expr;
    const ie = idx as Expr;
    if (ie.dtype !== "i32") throw new ValueError("take", "i32 indices", ie.dtype, `cast(indices, "i32")`);
    const shape = [...xe.shape.slice(0, p.axis), ...ie.shape, ...xe.shape.slice(p.axis + 1)];
    return { shape, dtype: xe.dtype };
  },
  evaluate: ([x, idx], p, out) => {
    const src = x as Tensor;
    const ids = (idx as Tensor).data;
    const xs = src.shape as ConcreteShape;
    const n = xs[p.axis] as number;
    const outer = sizeOf(xs.slice(0, p.axis));
    const inner = sizeOf(xs.slice(p.axis + 1));
    const y = allocate(out.dtype, sizeOf(out.shape));
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < ids.length; k++) {
        const i = ids[k] as number;
        if (i < 0 || i >= n) throw takeRangeError(p, n, i, k);
        y.set(src.data.subarray((o * n + i) * inner, (o * n + i + 1) * inner), (o * ids.length + k) * inner);
      }
    }
    return new Tensor(out.shape, out.dtype, y);
  },
  // Scatter-add written densely: dx[…, a, …] = Σₖ g[…, k, …]·[idx[k] = a].
  vjp: ({ inputs: [x, idx], outGrad, params: p }) => {
    const xe = x as Expr;
    const ie = idx as Expr;
    const pre = xe.shape.slice(0, p.axis);
    const post = xe.shape.slice(p.axis + 1);
    const n = xe.shape[p.axis] as Dim;
    const hit = cast(equal(reshape(ie, [...ie.shape, 1]), reshape(arangeExpr(n), [...ie.shape.map(() => 1), n])), xe.dtype);
    const ones = post.map(() => 1);
    const g = reshape(outGrad, [...pre, ...ie.shape, 1, ...post]);
    const h = broadcastTo(reshape(hit, [...ie.shape, n, ...ones]), [...pre, ...ie.shape, n, ...post]);
    const idxAxes = ie.shape.map((_, i) => pre.length + i);
    const dx = idxAxes.length ? sum(mul(broadcastTo(g, [...pre, ...ie.shape, n, ...post]), h), idxAxes) : mul(g, h);
    return [reshape(dx, xe.shape), null];
  },
  print: { kind: "custom", text: ([x, i], p) => `take(${x}, ${i}, ${p.axis})`, latex: ([x, i]) => `${x}_{[${i}]}` },
  domain: (s) => {
    const shape = s.shape(1, 3);
    const axis = s.int(0, shape.length - 1);
    const n = shape[axis] as number;
    return {
      inputs: [
        { shape, min: -3, max: 3 },
        { shape: [s.int(1, 4)], dtype: "i32", min: 0, max: n - 1 },
      ],
      params: { axis },
    };
  },
};

/** The error of an index outside [0, n): as take's, or as the labels of the composite that called it. */
export function takeRangeError(p: TakeParams, n: number, i: number, k: number): ValueError {
  if (p.op !== undefined) return new ValueError(p.op, `class labels in [0, ${n})`, `${i} at flat position ${k}`, `there are ${n} classes, numbered from 0`);
  return new ValueError("take", `indices in [0, ${n})`, `${i} at flat position ${k}`, `indices pick along axis ${p.axis} of length ${n}; negative ones are not wrapped`);
}

function arangeExpr(n: Dim): Expr {
  if (typeof n !== "number") throw new ShapeError("take", "a numeric dimension on the taken axis", `"${n}"`);
  return constant(new Tensor([n], "i32", Int32Array.from({ length: n }, (_, i) => i)));
}

/**
 * Picks entries along `axis` by integer indices (numpy `take`): the axis is replaced by the indices' shape.
 * @example
 * take(input("emb", [1000, 64]), input("ids", [32], "i32"), 0);   // Expr<[32, 64]>
 */
export function take<D extends DType>(x: Expr<Shape, D>, indices: Expr<Shape, "i32">, axis = 0, op?: string): Expr<Dim[], D> {
  const a = normalizeAxis("take", axis, x.rank);
  return apply(takeOp, [x, indices], op === undefined ? { axis: a } : { axis: a, op }) as Expr<Dim[], D>;
}
