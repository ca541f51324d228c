// Metrics computed on the host from a batch's outputs: each returns a sum over the batch's
// samples, so averages over an epoch weight every sample once.
import { type Tensor, ValueError } from "@typegrad/core";

/** A metric: its name and its sum over the first `size` samples of a batch. */
export interface Metric {
  readonly name: string;
  readonly total: (output: Tensor, target: Tensor, size: number) => number;
}

/** Index of the largest of `n` values starting at `offset`. */
function argmax(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if ((data[offset + j] as number) > (data[offset + best] as number)) best = j;
  return best;
}

/**
 * Classification accuracy: argmax of logits [N, C] against labels [N] (i32) or one-hot [N, C];
 * for a single logit per sample (binary), logit > 0 against target > 0.5.
 * @example
 * fit({ ..., metrics: [accuracy] });
 */
export const accuracy: Metric = {
  name: "accuracy",
  total: (output, target, size) => {
    const classes = output.rank >= 2 ? (output.shape[output.rank - 1] as number) : 1;
    const binary = classes === 1;
    const oneHot = target.rank === output.rank && !binary;
    if (!binary && target.dtype !== "i32" && !oneHot)
      throw new ValueError("accuracy", "i32 labels [N] or one-hot targets [N, C]", `${target.dtype}[${target.shape.join(",")}]`);
    let correct = 0;
    for (let i = 0; i < size; i++) {
      if (binary) correct += Number((output.data[i] as number) > 0) === Number((target.data[i] as number) > 0.5) ? 1 : 0;
      else {
        const label = oneHot ? argmax(target.data, i * classes, classes) : (target.data[i] as number);
        correct += argmax(output.data, i * classes, classes) === label ? 1 : 0;
      }
    }
    return correct;
  },
};
