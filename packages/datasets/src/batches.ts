/**
 * The data pipeline: seeded shuffling, fixed-size batches, normalisation and one-hot labels.
 *
 * Batches are written into buffers allocated once per iteration and reused for every batch, so an
 * epoch allocates two or three typed arrays plus one small `Tensor` wrapper per batch, never
 * anything per sample (rows are copied from per-row views made once per dataset and cached). The price: **a batch's data is only valid until the next batch is
 * requested**, when the buffer is overwritten. Keep a batch beyond that with `reuse: false` (fresh
 * buffers per batch) or copy it. Unshuffled, un-normalised batches are zero-copy views of the
 * dataset instead (which are never overwritten; the rule above is still the one to rely on).
 */
import { type ArrayFor, type Batch, type Key, type Shape, Tensor, ValueError, checkTensor, permutation } from "@typegrad/core";

/**
 * What happens to the last `n mod batchSize` samples of an epoch:
 * - `"keep"` (default): a smaller last batch (its shape's first dimension is smaller);
 * - `"drop"`: they are skipped this epoch (with shuffling, different ones each epoch), so every
 *   batch has the same shape and a compiled program is reused;
 * - `"pad"`: the last batch is filled up to `batchSize` by wrapping around to the start of this
 *   epoch's order; `batch.size` counts the real samples so that metrics can ignore the padding.
 */
export type LastBatch = "keep" | "drop" | "pad";

/** Scalar normalisation `(x − mean) / std`. */
export interface Normalization {
  readonly mean: number;
  readonly std: number;
}

/** Options of `batches`. */
export interface BatchOptions {
  /** Samples per batch, a positive integer. */
  readonly batchSize: number;
  /** Shuffle with `permutation(key, n)`; without a key the order is the dataset's. Use a new key per epoch. */
  readonly key?: Key;
  /** Policy for the last, partial batch; default `"keep"`. */
  readonly lastBatch?: LastBatch;
  /** Normalise while copying, so the dataset itself stays as loaded. */
  readonly normalize?: Normalization;
  /** Reuse one buffer for all batches (default true); false gives each batch fresh arrays. */
  readonly reuse?: boolean;
}

/** Dtypes of targets: integer class labels or float regression targets. */
export type TargetDType = "i32" | "f32";

/**
 * What `batches` yields: core's `Batch` of f32 inputs `["batch", ...F]` and targets
 * `["batch", ...T]` of the dataset's dtype (integer labels `["batch"]` by default), with `size`
 * (real samples: `batchSize`, fewer for a kept last batch, or the unpadded count) and `index`
 * (0-based position in the epoch) always set.
 */
type Yielded<F extends readonly number[], T extends readonly number[] = [], D extends TargetDType = "i32"> = Batch<["batch", ...F], ["batch", ...T], "f32", D> & {
  readonly size: number;
  readonly index: number;
};

/** A batch with one-hot labels `["batch", C]` as well (option `oneHot: C`). */
export interface OneHotBatch<F extends readonly number[], C extends number> extends Yielded<F> {
  readonly yOneHot: Tensor<["batch", C], "f32">;
}

/**
 * Number of batches in an epoch of `n` samples.
 * @example
 * numBatches(60_000, 128, "drop"); // 468
 */
export function numBatches(n: number, batchSize: number, lastBatch: LastBatch = "keep"): number {
  return lastBatch === "drop" ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Row views of a dataset, made once per dataset and kept as long as its data lives: copying a row
 * with `set(view)` is a memcpy, about four times faster than an element loop, and creating a view
 * per sample per epoch is exactly the per-sample allocation this module avoids.
 */
const rowViews = new WeakMap<Float32Array, Float32Array[]>();

function rowsOf(data: Float32Array, n: number, stride: number): Float32Array[] {
  const cached = rowViews.get(data);
  if (cached !== undefined && cached.length === n) return cached;
  const views = Array.from({ length: n }, (_, i) => data.subarray(i * stride, (i + 1) * stride));
  rowViews.set(data, views);
  return views;
}

/** Gives a concrete runtime shape the static (possibly symbolic) type the caller sees. */
const typed = <S extends Shape>(shape: readonly number[], data: Float32Array): Tensor<S, "f32"> => new Tensor(shape as Shape as S, "f32", data);
const typedAs = <S extends Shape, D extends TargetDType>(shape: readonly number[], dtype: D, data: ArrayFor<D>): Tensor<S, D> => new Tensor(shape as Shape as S, dtype, data);

/** A fresh target buffer of the targets' own array type, so float targets are never truncated. */
const targetBuffer = <D extends TargetDType>(like: ArrayFor<D>, length: number): ArrayFor<D> => new (like.constructor as new (n: number) => ArrayFor<D>)(length);

/**
 * Iterates over one epoch of batches of `x` (`[N, ...F]`, f32) and `y`: integer labels `[N]`, or
 * any targets `[N, ...T]` (i32 or f32, e.g. regression targets `[N, 1]`), batched with their
 * dtype and values unchanged. Shuffled when `key` is given. See the module comment: buffers are
 * reused and overwritten.
 * @example
 * for (const k of split(key(0), 10)) // a new key per epoch
 *   for (const { x, y } of batches(train.images, train.labels, { batchSize: 128, key: k, lastBatch: "drop" }))
 *     step(x, y); // x: Tensor<["batch", 784], "f32">
 */
export function batches<const F extends readonly number[], const C extends number>(
  x: Tensor<readonly [number, ...F], "f32">,
  y: Tensor<readonly [number], "i32">,
  options: BatchOptions & { readonly oneHot: C },
): Generator<OneHotBatch<F, C>, void, undefined>;
export function batches<const F extends readonly number[], const T extends readonly number[], D extends TargetDType>(
  x: Tensor<readonly [number, ...F], "f32">,
  y: Tensor<readonly [number, ...T], D>,
  options: BatchOptions,
): Generator<Yielded<F, T, D>, void, undefined>;
export function* batches<const F extends readonly number[]>(
  x: Tensor<readonly [number, ...F], "f32">,
  y: Tensor<readonly [number, ...number[]], TargetDType>,
  options: BatchOptions & { readonly oneHot?: number },
): Generator<Yielded<F, number[], TargetDType> | OneHotBatch<F, number>, void, undefined> {
  const { batchSize, key, lastBatch = "keep", normalize, reuse = true, oneHot: classes } = options;
  checkTensor(x, "batches", "x", ["f32"]);
  checkTensor(y, "batches", "y", ["i32", "f32"]);
  const n = x.shape[0];
  const features = x.shape.slice(1);
  const targetShape = y.shape.slice(1);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError("batches", "a positive integer batchSize", String(batchSize));
  if (y.shape.length < 1 || y.shape[0] !== n)
    throw new ValueError("batches", `targets with ${n} rows, as x [${x.shape.join(",")}]`, `[${y.shape.join(",")}]`, "one label (or target row) per sample");
  if (classes !== undefined && (y.dtype !== "i32" || y.shape.length !== 1))
    throw new ValueError("batches", "integer labels of shape [N] for oneHot", `${y.dtype}[${y.shape.join(",")}]`, "one-hot encoding is for class labels; drop the option for regression targets");
  if (classes !== undefined && (!Number.isInteger(classes) || classes < 1)) throw new ValueError("batches", "a positive integer oneHot class count", String(classes));
  if (normalize !== undefined && !(normalize.std > 0)) throw new ValueError("batches", "a positive std", String(normalize.std));
  const stride = n === 0 ? 0 : x.size / n;
  const yStride = n === 0 ? 0 : y.size / n;
  const src = x.data;
  const labels = y.data;
  const order = key === undefined ? undefined : permutation(key, n);
  const count = numBatches(n, batchSize, lastBatch);
  const shift = normalize?.mean ?? 0;
  const scale = normalize === undefined ? 1 : 1 / normalize.std;
  const copy = order !== undefined || normalize !== undefined;
  const rowsView = copy && normalize === undefined ? rowsOf(src, n, stride) : undefined;

  let xBuf = new Float32Array(batchSize * stride);
  let yBuf = targetBuffer(labels, batchSize * yStride);
  let hotBuf = new Float32Array(classes === undefined ? 0 : batchSize * classes);

  for (let b = 0; b < count; b++) {
    const start = b * batchSize;
    const real = Math.min(batchSize, n - start);
    const rows = lastBatch === "pad" ? batchSize : real;
    if (!reuse && b > 0) {
      xBuf = new Float32Array(batchSize * stride);
      yBuf = targetBuffer(labels, batchSize * yStride);
      hotBuf = new Float32Array(hotBuf.length);
    }
    let xs: Float32Array;
    let ys: Int32Array | Float32Array;
    if (!copy && rows === real && reuse) {
      xs = src.subarray(start * stride, (start + rows) * stride);
      ys = labels.subarray(start * yStride, (start + rows) * yStride);
    } else {
      for (let r = 0; r < rows; r++) {
        // Padding wraps around to the start of this epoch's order.
        const p = (start + r) % n;
        const i = order === undefined ? p : (order[p] ?? 0);
        const from = i * stride;
        const to = r * stride;
        const row = rowsView?.[i];
        if (row !== undefined) xBuf.set(row, to);
        else if (normalize === undefined) for (let k = 0; k < stride; k++) xBuf[to + k] = src[from + k] ?? 0;
        else for (let k = 0; k < stride; k++) xBuf[to + k] = ((src[from + k] ?? 0) - shift) * scale;
        yBuf.set(labels.subarray(i * yStride, (i + 1) * yStride), r * yStride);
      }
      xs = rows === batchSize ? xBuf : xBuf.subarray(0, rows * stride);
      ys = rows === batchSize ? yBuf : yBuf.subarray(0, rows * yStride);
    }
    const batch: Yielded<F, number[], TargetDType> = {
      x: typed<["batch", ...F]>([rows, ...features], xs),
      y: typedAs<["batch", ...number[]], TargetDType>([rows, ...targetShape], y.dtype, ys),
      size: real,
      index: b,
    };
    if (classes === undefined) {
      yield batch;
      continue;
    }
    const hot = rows * classes === hotBuf.length ? hotBuf : hotBuf.subarray(0, rows * classes);
    fillOneHot(ys as Int32Array, classes, hot);
    yield { ...batch, yOneHot: typed<["batch", number]>([rows, classes], hot) };
  }
}

function fillOneHot(labels: Int32Array, classes: number, out: Float32Array): void {
  out.fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] ?? -1;
    if (c < 0 || c >= classes) throw new ValueError("oneHot", `labels in 0..${classes - 1}`, `${c} at index ${i}`);
    out[i * classes + c] = 1;
  }
}

/**
 * One-hot encodes integer labels `[N]` into `[N, C]` f32 rows.
 * @example
 * oneHot(tensor([2, 0], { dtype: "i32" }), 3).toArray(); // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot<const N extends number | string, const C extends number>(labels: Tensor<readonly [N], "i32">, classes: C): Tensor<[N, C], "f32"> {
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError("oneHot", "a positive integer class count", String(classes));
  const out = new Float32Array(labels.size * classes);
  fillOneHot(labels.data, classes, out);
  return typed<[N, C]>([labels.size, classes], out);
}

/**
 * Mean and (population) standard deviation of all elements, e.g. of the training images, for
 * `normalize`. Accumulates in f64.
 * @example
 * const stats = meanStd(train.images); // Fashion-MNIST: { mean: 0.2860, std: 0.3530 }
 */
export function meanStd(x: Tensor<Shape, "f32" | "f64">): Normalization {
  const d = x.data;
  let sum = 0;
  for (let i = 0; i < d.length; i++) sum += d[i] ?? 0;
  const mean = d.length === 0 ? 0 : sum / d.length;
  let sq = 0;
  for (let i = 0; i < d.length; i++) {
    const t = (d[i] ?? 0) - mean;
    sq += t * t;
  }
  return { mean, std: d.length === 0 ? 0 : Math.sqrt(sq / d.length) };
}

/**
 * `(x − mean) / std` as a new f32 tensor of the same shape.
 * @example
 * const xn = normalize(train.images, meanStd(train.images)); // mean 0, std 1
 */
export function normalize<const S extends Shape>(x: Tensor<S, "f32">, { mean, std }: Normalization): Tensor<S, "f32"> {
  if (!(std > 0)) throw new ValueError("normalize", "a positive std", String(std));
  const inv = 1 / std;
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = ((src[i] ?? 0) - mean) * inv;
  return new Tensor(x.shape, "f32", out);
}

/**
 * `x · factor` as a new f32 tensor, e.g. to bring 0..255 data to 0..1.
 * @example
 * const unit = scale(bytesAsF32, 1 / 255);
 */
export function scale<const S extends Shape>(x: Tensor<S, "f32">, factor: number): Tensor<S, "f32"> {
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (src[i] ?? 0) * factor;
  return new Tensor(x.shape, "f32", out);
}
