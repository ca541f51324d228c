// Shared parts of the reductions (sum, max): axis handling, shape rule, loop and test domain.
import type { Expr } from "../graph/expr.js";
import type { OutSpec, Sampler, TestCase } from "../graph/primitive.js";
import { type ConcreteShape, type Dim, type Shape, ShapeError, normalizeAxis, sizeOf } from "../shape/shape.js";
import { type DType, allocate, roundTo } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

export interface ReduceParams {
  /** Sorted, distinct, non-negative axes. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** Normalises user axes (undefined means all, negatives count from the end). */
export function reduceParams(op: string, rank: number, axes: number | readonly number[] | undefined, keepDims: boolean): ReduceParams {
  const list = axes === undefined ? [...Array(rank).keys()] : typeof axes === "number" ? [axes] : axes;
  const norm = [...new Set(list.map((a) => normalizeAxis(op, a, rank)))].sort((a, b) => a - b);
  if (norm.length !== list.length) throw new ShapeError(op, "distinct axes", `[${list.join(",")}]`);
  return { axes: norm, keepDims };
}

/** The shape after reducing; with keepDims the reduced axes stay as 1. */
export function reducedShape(shape: Shape, p: ReduceParams): Dim[] {
  return shape.flatMap((d, i) => (p.axes.includes(i) ? (p.keepDims ? [1] : []) : [d]));
}

/** The reduced axes as Unicode subscripts (Σ₁), or nothing when all axes are reduced (Σ). */
export function axesSubscript(axes: readonly number[], x: Expr): string {
  return axes.length === x.rank ? "" : axes.map((a) => [...String(a)].map((d) => "₀₁₂₃₄₅₆₇₈₉"[Number(d)]).join("")).join(",");
}

export function reduceInfer(inputs: readonly Expr[], p: ReduceParams): { shape: Shape; dtype: DType } {
  const x = inputs[0] as Expr;
  return { shape: reducedShape(x.shape, p), dtype: x.dtype };
}

/** Folds the reduced axes of x with `step`, starting from `init`. */
export function reduceLoop(x: Tensor, p: ReduceParams, out: OutSpec, init: number, step: (acc: number, v: number) => number): Tensor {
  const shape = x.shape as ConcreteShape;
  const acc = new Float64Array(sizeOf(out.shape)).fill(init);
  // Output index of every input element: drop (or zero) the reduced coordinates.
  const keptStrides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (!p.axes.includes(i)) {
      keptStrides[i] = s;
      s *= shape[i] as number;
    }
  }
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < x.size; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o += (idx[d] as number) * (keptStrides[d] as number);
    acc[o] = step(acc[o] as number, x.data[i] as number);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  const y = allocate(out.dtype, acc.length);
  for (let i = 0; i < acc.length; i++) y[i] = roundTo(out.dtype, acc[i] as number);
  return new Tensor(out.shape, out.dtype, y);
}

export function reduceDomain(s: Sampler, distinct = false): TestCase<ReduceParams> {
  const shape = s.shape(1, 3);
  const axes = shape.map((_, i) => i).filter(() => s.int(0, 1) === 1);
  return { inputs: [{ shape, min: -3, max: 3, distinct }], params: { axes, keepDims: s.int(0, 1) === 1 } };
}
