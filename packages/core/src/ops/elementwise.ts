// Shared shape rules and reference loops for elementwise primitives. This module imports no op,
// so op modules may call it while they load.
import type { Expr } from "../graph/expr.js";
import type { OutSpec, Sampler, TestCase } from "../graph/primitive.js";
import { ShapeError, ValueError, sameShape, showShape, sizeOf } from "../shape/shape.js";
import { type DType, allocate, isFloat, roundTo } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

/** Shape rule of a unary op: same shape and dtype; `floatOnly` rejects integer inputs. */
export function unaryInfer(op: string, floatOnly: boolean) {
  return (inputs: readonly Expr[]): { shape: Expr["shape"]; dtype: DType } => {
    const x = inputs[0] as Expr;
    if (floatOnly ? !isFloat(x.dtype) : x.dtype === "bool")
      throw new ValueError(op, floatOnly ? "a float input (f32 or f64)" : "a numeric input", x.dtype, `cast(x, "f32") first`);
    return { shape: x.shape, dtype: x.dtype };
  };
}

/** Shape rule of a binary op whose operands were broadcast to one shape by the builder. */
export function binaryInfer(op: string, result?: DType) {
  return (inputs: readonly Expr[]): { shape: Expr["shape"]; dtype: DType } => {
    const [a, b] = inputs as [Expr, Expr];
    if (!sameShape(a.shape, b.shape)) throw new ShapeError(op, "operands of one shape", `${showShape(a.shape)} and ${showShape(b.shape)}`);
    if (a.dtype !== b.dtype)
      throw new ValueError(op, "operands of one dtype", `${a.dtype} and ${b.dtype}`, "cast one operand with cast(x, dtype)");
    return { shape: a.shape, dtype: result ?? a.dtype };
  };
}

/** Output element at coordinates c reads the input at Σ c[d]·strides[d] (a stride 0 repeats an element). */
export function readStrided(src: Tensor, strides: readonly number[], out: OutSpec): Tensor {
  const y = allocate(out.dtype, sizeOf(out.shape));
  const idx = new Array<number>(out.shape.length).fill(0);
  for (let i = 0; i < y.length; i++) {
    let o = 0;
    for (let d = 0; d < idx.length; d++) o += (idx[d] as number) * (strides[d] as number);
    y[i] = src.data[o] as number;
    for (let d = idx.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (out.shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out.shape, out.dtype, y);
}

/** Applies f to every element, rounding results to the output dtype (a bool is 1 where nonzero). */
export function mapUnary(f: (x: number) => number) {
  return (inputs: readonly Tensor[], _params: unknown, out: OutSpec): Tensor => {
    const x = (inputs[0] as Tensor).data;
    const y = allocate(out.dtype, x.length);
    for (let i = 0; i < x.length; i++) y[i] = roundTo(out.dtype, f(x[i] as number));
    return new Tensor(out.shape, out.dtype, y);
  };
}

/** Applies f to every pair of elements of two same-shaped tensors, rounding as mapUnary does. */
export function mapBinary(f: (a: number, b: number) => number) {
  return (inputs: readonly Tensor[], _params: unknown, out: OutSpec): Tensor => {
    const a = (inputs[0] as Tensor).data;
    const b = (inputs[1] as Tensor).data;
    const y = allocate(out.dtype, a.length);
    for (let i = 0; i < a.length; i++) y[i] = roundTo(out.dtype, f(a[i] as number, b[i] as number));
    return new Tensor(out.shape, out.dtype, y);
  };
}

/** Test domain of a unary op: a random shape of rank ≤ 3, values in [min, max] away from `avoid`. */
export function unaryDomain(min: number, max: number, avoid: readonly number[] = []) {
  return (s: Sampler): TestCase<Record<string, never>> => ({
    inputs: [{ shape: s.shape(0, 3), min, max, avoid }],
    params: {},
  });
}

/** Test domain of a binary op: two inputs of one random shape. */
export function binaryDomain(a: { min: number; max: number }, b: { min: number; max: number }, distinct = false) {
  return (s: Sampler): TestCase<Record<string, never>> => {
    const shape = s.shape(0, 3);
    return { inputs: [{ shape, ...a, distinct }, { shape, ...b, distinct }], params: {} };
  };
}
