import { type ConcreteShape, type Shape, ShapeError, ValueError, showShape, sizeOf } from "../shape/shape.js";
import { type AnyArray, type ArrayFor, type DType, allocate, dtypeOfArray, roundTo } from "./dtype.js";

/** Nested arrays of numbers, as `toArray` returns them and `tensor` accepts them. */
export type NestedArray = number | readonly NestedArray[];

/** The shape of a nested array literal, e.g. `[[1, 2], [3, 4]]` → `[2, 2]`. */
export type ShapeOfNested<T> = T extends number
  ? []
  : T extends readonly []
    ? [0]
    : T extends readonly [infer H, ...unknown[]]
      ? [T["length"], ...ShapeOfNested<H>]
      : T extends readonly (infer E)[]
        ? [number, ...ShapeOfNested<E>]
        : Shape;

let nextTensorId = 0;

/**
 * A concrete value: dtype, shape and row-major data. Tensors are immutable: nothing in typegrad
 * writes into a tensor it did not create, and users should not either. The garbage collector owns
 * them; there is nothing to dispose.
 */
export class Tensor<S extends Shape = Shape, D extends DType = DType> {
  /** A process-unique number, used to key large constants. */
  readonly id = nextTensorId++;
  readonly shape: S;
  readonly dtype: D;
  readonly data: ArrayFor<D>;

  constructor(shape: S, dtype: D, data: ArrayFor<D>) {
    checkDims("tensor", shape);
    const size = sizeOf(shape as ConcreteShape);
    if (data.length !== size)
      throw new ShapeError("tensor", `${size} elements for shape ${showShape(shape)}`, `${data.length}`);
    this.shape = shape;
    this.dtype = dtype;
    this.data = data;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The single element of a tensor of size 1. */
  item(): number {
    if (this.data.length !== 1)
      throw new ShapeError("item", "a tensor with one element", showShape(this.shape), "index it or use toArray()");
    return this.data[0] as number;
  }

  /** The elements as nested arrays (a number for rank 0). */
  toArray(): NestedArray {
    const shape = this.shape as ConcreteShape;
    const data = this.data;
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === shape.length) return data[offset] as number;
      const n = shape[axis] as number;
      const stride = sizeOf(shape.slice(axis + 1));
      return Array.from({ length: n }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The elements as a flat array of numbers. */
  toFlat(): number[] {
    return Array.from(this.data);
  }

  toString(): string {
    return `Tensor(${this.dtype}${showShape(this.shape)}, ${JSON.stringify(this.toArray())})`;
  }
}

function flatten(values: NestedArray, op: string): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  for (let v: NestedArray = values; Array.isArray(v); v = (v as readonly NestedArray[])[0] ?? 0) {
    const arr = v as readonly NestedArray[];
    shape.push(arr.length);
    if (arr.length === 0) break;
  }
  const flat: number[] = [];
  const walk = (v: NestedArray, axis: number): void => {
    if (axis === shape.length) {
      if (typeof v !== "number") throw new ShapeError(op, "a rectangular nested array", "a ragged one");
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis])
      throw new ShapeError(op, `length ${shape[axis]} at depth ${axis}`, Array.isArray(v) ? `${v.length}` : "a number", "rows must have equal lengths");
    for (const x of v as readonly NestedArray[]) walk(x, axis + 1);
  };
  walk(values, 0);
  return { shape, flat };
}

function fill<D extends DType>(dtype: D, values: ArrayLike<number>): ArrayFor<D> {
  const data = allocate(dtype, values.length);
  if (dtype === "bool") for (let i = 0; i < values.length; i++) data[i] = values[i] ? 1 : 0;
  else data.set(values);
  return data;
}

const isTypedArray = (v: unknown): v is AnyArray =>
  v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array || v instanceof Uint8Array;
const isNested = (v: unknown): v is NestedArray => typeof v === "number" || Array.isArray(v);
function isFlat(v: NestedArray | ArrayLike<number>): v is ArrayLike<number> {
  if (typeof v === "number") return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "number") return false;
  return true;
}

/**
 * Creates a tensor from nested arrays, or from flat data (an array or typed array) and a shape.
 * @example
 * tensor([[1, 2], [3, 4]]);                       // Tensor<[2, 2], "f32">
 * tensor([1, 2, 3], { dtype: "f64" });
 * tensor(new Float32Array(6), { shape: [2, 3] });
 */
export function tensor<const T extends NestedArray>(values: T): Tensor<ShapeOfNested<T>, "f32">;
export function tensor<const T extends NestedArray, D extends DType>(values: T, options: { dtype: D }): Tensor<ShapeOfNested<T>, D>;
export function tensor<const S extends ConcreteShape, A extends AnyArray>(
  values: A,
  options: { shape: S },
): Tensor<S, A extends Float64Array ? "f64" : A extends Int32Array ? "i32" : A extends Uint8Array ? "bool" : "f32">;
export function tensor<const S extends ConcreteShape, D extends DType = "f32">(
  values: ArrayLike<number>,
  options: { shape: S; dtype?: D },
): Tensor<S, D>;
export function tensor(values: NestedArray | ArrayLike<number>, options: { shape?: ConcreteShape; dtype?: DType } = {}): Tensor {
  if (isTypedArray(values)) {
    const dtype = options.dtype ?? dtypeOfArray(values);
    const shape = options.shape ?? [values.length];
    return new Tensor(shape, dtype, dtype === dtypeOfArray(values) ? values : fill(dtype, values));
  }
  const dtype = options.dtype ?? "f32";
  if (options.shape !== undefined) {
    if (!isFlat(values)) throw new ValueError("tensor", "flat numbers with an explicit shape", "nested arrays");
    return new Tensor(options.shape, dtype, fill(dtype, values));
  }
  if (!isNested(values)) throw new ValueError("tensor", "a number or nested arrays", "an array-like object");
  const { shape, flat } = flatten(values, "tensor");
  return new Tensor(shape, dtype, fill(dtype, flat));
}

/** Checks that every dimension is a non-negative integer, naming the op: before any allocation, so `zeros([-1])` is a ShapeError. */
export function checkDims(op: string, shape: readonly unknown[]): void {
  if (!Array.isArray(shape)) throw new ShapeError(op, "a shape (an array of dimensions)", String(shape));
  const bad = shape.findIndex((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0);
  if (bad >= 0) throw new ShapeError(op, "non-negative integer dimensions", `${String(shape[bad])} at position ${bad} of [${shape.join(",")}]`);
}

/** A typed array of `size` elements, or a ValueError saying how large it was. */
function allocateFor<D extends DType>(op: string, dtype: D, size: number): ArrayFor<D> {
  try {
    return allocate(dtype, size);
  } catch {
    throw new ValueError(op, `at most ${MAX_ELEMENTS} elements, as this engine allocates`, `${size} ${dtype} elements`);
  }
}

/** The most elements one typed array holds in V8 (2³² − 1 here; less if memory runs out first). */
const MAX_ELEMENTS = 2 ** 32 - 1;

function fullAs<S extends ConcreteShape, D extends DType>(op: string, shape: S, value: number, dtype: D): Tensor<S, D> {
  checkDims(op, shape);
  const data = allocateFor(op, dtype, sizeOf(shape));
  data.fill(roundTo(dtype, value));
  return new Tensor(shape, dtype, data);
}

/** A tensor of `shape` filled with `value`. */
export function full<const S extends ConcreteShape, D extends DType = "f32">(shape: S, value: number, dtype?: D): Tensor<S, D> {
  return fullAs("full", shape, value, (dtype ?? "f32") as D);
}

/** A tensor of zeros. */
export const zeros = <const S extends ConcreteShape, D extends DType = "f32">(shape: S, dtype?: D): Tensor<S, D> => fullAs("zeros", shape, 0, (dtype ?? "f32") as D);

/** A tensor of ones. */
export const ones = <const S extends ConcreteShape, D extends DType = "f32">(shape: S, dtype?: D): Tensor<S, D> => fullAs("ones", shape, 1, (dtype ?? "f32") as D);

/** Evenly spaced values in [start, stop) with `step`, like `numpy.arange`; `arange(n)` is 0…n−1. */
export function arange<D extends DType = "f32">(start: number, stop?: number, step = 1, dtype?: D): Tensor<[number], D> {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError("arange", "a finite non-zero step", String(step));
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const d = (dtype ?? "f32") as D;
  if (!Number.isFinite(n)) throw new ValueError("arange", "finite bounds", `[${lo}, ${hi})`);
  const data = allocateFor("arange", d, n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return new Tensor<[number], D>([n], d, data);
}

/** `num` evenly spaced values from `start` to `stop` inclusive, computed as torch.linspace does. */
export function linspace<D extends DType = "f32">(start: number, stop: number, num: number, dtype?: D): Tensor<[number], D> {
  if (!Number.isInteger(num) || num < 0) throw new ValueError("linspace", "a non-negative integer count", String(num));
  const d = (dtype ?? "f32") as D;
  const data = allocateFor("linspace", d, num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  // Symmetric from both ends, so the last value is exactly `stop`.
  const half = Math.floor(num / 2);
  for (let i = 0; i < num; i++) data[i] = i < half ? start + step * i : stop - step * (num - 1 - i);
  return new Tensor<[number], D>([num], d, data);
}

/** The identity matrix of `n` rows and `m` (default `n`) columns. */
export function eye<D extends DType = "f32">(n: number, m = n, dtype?: D): Tensor<[number, number], D> {
  const d = (dtype ?? "f32") as D;
  checkDims("eye", [n, m]);
  const data = allocateFor("eye", d, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor<[number, number], D>([n, m], d, data);
}
