// The MNIST example's recipe, shared with the benchmark (bench/typegrad.ts): the model, its
// optimiser, the validation split and the augmentation.
import { Tensor } from "@typegrad/core";
import type { DataSplit, ImagesFlat } from "@typegrad/datasets";
import { adam, cosineDecay, dense, dropout, relu, sequential } from "@typegrad/nn";

/** The recipe: 784-256-10 with dropout, Adam at 2e-3 decayed to 0 by a cosine, 16 epochs of 128-digit batches, shifted digits. */
export const MNIST_RECIPE = { name: "784-256-10, dropout 0.2, Adam 2e-3 cosine, shifts ±2 px", batchSize: 128, epochs: 16, lr: 2e-3, maxShift: 2 } as const;

/** A fresh model of the recipe. */
export const mnistModel = () => sequential(dense(784, 256), relu(), dropout(0.2), dense(256, 10));

/** Adam whose rate falls from `lr` to 0 along a cosine over `epochs` epochs of `stepsPerEpoch` steps. */
export const mnistOptimizer = (stepsPerEpoch: number, epochs: number = MNIST_RECIPE.epochs) => adam({ lr: cosineDecay(MNIST_RECIPE.lr, epochs * stepsPerEpoch) });

/**
 * The training digits split into those to fit and the last `count`, held out for validation (the
 * loaders shuffle each split with a fixed key, so these are a fixed random sample).
 */
export function splitValidation(train: DataSplit<ImagesFlat>, count = 1000): { fit: DataSplit<ImagesFlat>; validation: DataSplit<ImagesFlat> } {
  const n = train.labels.shape[0] - count;
  const part = (from: number, to: number): DataSplit<ImagesFlat> => ({
    images: new Tensor([to - from, 784], "f32", train.images.data.subarray(from * 784, to * 784)),
    labels: new Tensor([to - from], "i32", train.labels.data.subarray(from, to)),
  });
  return { fit: part(0, n), validation: part(n, n + count) };
}

/**
 * Every digit moved by a random whole number of pixels in −maxShift..maxShift along each axis
 * (zeros shifted in), drawn from `seed`: new images each epoch, from the same 28×28 digits.
 * The result is written into `out` (allocated on the first call) and returned.
 */
export function shiftDigits(images: Tensor<ImagesFlat, "f32">, seed: number, out?: Float32Array, maxShift: number = MNIST_RECIPE.maxShift): Tensor<ImagesFlat, "f32"> {
  const n = images.shape[0];
  const src = images.data;
  const dst = out ?? new Float32Array(src.length);
  dst.fill(0);
  let s = seed >>> 0;
  const draw = (): number => {
    // mulberry32: a small seeded generator; the shifts need not be cryptographic or shared.
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (2 * maxShift + 1)) - maxShift;
  };
  for (let i = 0; i < n; i++) {
    const [dx, dy] = [draw(), draw()];
    for (let y = Math.max(0, dy); y < Math.min(28, 28 + dy); y++) {
      const from = i * 784 + (y - dy) * 28 - dx;
      const to = i * 784 + y * 28;
      for (let x = Math.max(0, dx); x < Math.min(28, 28 + dx); x++) dst[to + x] = src[from + x] as number;
    }
  }
  return new Tensor([n, 784], "f32", dst);
}
