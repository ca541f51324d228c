import type { Shape } from "../shape/shape.js";
import type { DType } from "./dtype.js";
import type { Tensor } from "./tensor.js";

/**
 * One batch of samples: inputs `x`, targets `y` (labels or values) and how many samples are real
 * (a padded last batch holds fewer). What data pipelines yield (`batches` of @typegrad/datasets,
 * or any iterable) and what training and evaluation in @typegrad/nn consume; it lives here, with
 * `Tensor`, because neither of those packages imports the other.
 * @example
 * const b: Batch<["batch", 784], ["batch"], "f32", "i32"> = { x, y, size: 128 };
 */
export interface Batch<X extends Shape = Shape, Y extends Shape = Shape, DX extends DType = DType, DY extends DType = DType> {
  readonly x: Tensor<X, DX>;
  readonly y: Tensor<Y, DY>;
  /** Real (unpadded) samples; all of them when absent. */
  readonly size?: number;
  /** 0-based position of the batch in its epoch, where the pipeline counts it. */
  readonly index?: number;
}
