import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type ConcreteShape, type Shape, ShapeError, normalizeAxis, sizeOf } from "../shape/shape.js";
import type { AxesCheck, SliceCheck, Sliced } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { allocate } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastTo } from "./broadcast.js";
import { concat } from "./concat.js";
import { scalar } from "./constant.js";

export interface SliceParams {
  readonly axis: number;
  readonly start: number;
  readonly end: number;
}

/** Copies the [start, end) range of `axis` (shared by slice and the evaluation of concat). */
export function copyRange(src: Tensor, axis: number, start: number, end: number, dst: Tensor, dstStart: number): void {
  const shape = src.shape as ConcreteShape;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const srcRow = (shape[axis] as number) * inner;
  const dstRow = (dst.shape[axis] as number) * inner;
  const len = (end - start) * inner;
  for (let o = 0; o < outer; o++) {
    dst.data.set(src.data.subarray(o * srcRow + start * inner, o * srcRow + start * inner + len), o * dstRow + dstStart * inner);
  }
}

export const sliceOp: Primitive<"slice", SliceParams> = {
  name: "slice",
  traits: { role: "view", cheap: false, splat: "move", differentiable: true },
  infer: ([x], p) => {
    const xs = (x as Expr).shape;
    const n = xs[p.axis];
    if (typeof n !== "number")
      throw new ShapeError("slice", "a numeric dimension on the sliced axis", `"${String(n)}"`, "bind symbolic dimensions before slicing");
    if (!(0 <= p.start && p.start <= p.end && p.end <= n))
      throw new ShapeError("slice", `0 ≤ start ≤ end ≤ ${n} on axis ${p.axis}`, `[${p.start}, ${p.end})`);
    return { shape: xs.map((d, i) => (i === p.axis ? p.end - p.start : d)), dtype: (x as Expr).dtype };
  },
  evaluate: ([x], p, out) => {
    const y = new Tensor(out.shape, out.dtype, allocate(out.dtype, sizeOf(out.shape)));
    copyRange(x as Tensor, p.axis, p.start, p.end, y, 0);
    return y;
  },
  // The slice's gradient is padded with zeros back to the input's extent.
  vjp: ({ inputs: [x], outGrad, params: p }) => {
    const xs = (x as Expr).shape;
    const zerosOf = (len: number): Expr => broadcastTo(scalar(0, outGrad.dtype), xs.map((d, i) => (i === p.axis ? len : d)));
    const parts = [zerosOf(p.start), outGrad, zerosOf((xs[p.axis] as number) - p.end)].filter((e) => e.shape[p.axis] !== 0);
    return [parts.length === 1 ? outGrad : concat(parts, p.axis)];
  },
  print: { kind: "custom", text: ([x], p) => `${x}[${p.axis}: ${p.start}..${p.end}]`, latex: ([x], p) => `${x}_{${p.start}:${p.end}}` },
  domain: (s) => {
    const shape = s.shape(1, 3);
    const axis = s.int(0, shape.length - 1);
    const n = shape[axis] as number;
    const start = s.int(0, n - 1);
    return { inputs: [{ shape, min: -3, max: 3 }], params: { axis, start, end: s.int(start + 1, n) } };
  },
};

/**
 * Elements start…end−1 along `axis` (negative indices count from the end, like Python).
 * @example
 * slice(input("x", [8, 10]), 1, 0, 5);   // Expr<[8, 5]>
 */
export function slice<S extends Shape, D extends DType, const A extends number, const St extends number, const E extends number | undefined = undefined>(
  x: Expr<S, D>,
  axis: A & AxesCheck<"slice", S, A>,
  start: St & SliceCheck<S, A, St, E>,
  end?: E,
): Expr<Sliced<S, A, St, E>, D> {
  const a = normalizeAxis("slice", axis, x.rank);
  const n = x.shape[a];
  const len = typeof n === "number" ? n : 0;
  const at = (i: number): number => (i < 0 ? i + len : i);
  // Checked here, on the bounds as given: the primitive only sees them counted from the start.
  const bounds = end === undefined ? [start] : [start, end];
  if (typeof n === "number" && (bounds.some((i) => !Number.isInteger(i) || i < -n || i > n) || at(start) > (end === undefined ? n : at(end))))
    throw new ShapeError("slice", `integer bounds in [${-n}, ${n}] with start ≤ end on axis ${a} of length ${n}`, `start ${start}${end === undefined ? "" : `, end ${end}`}`, "negative bounds count from the end");
  return apply(sliceOp, [x], { axis: a, start: at(start), end: end === undefined ? len : at(end) }) as Expr<Sliced<S, A, St, E>, D>;
}
