// The founding tutorial: a 1-2-5-1 network with sigmoids fitted to y = 2.3x + 4.7.
import { type Tensor, key, linspace, tensor } from "@typegrad/core";
import { type EpochLog, type TrainState, adam, dense, fit, mse, predict, sequential, sigmoid } from "@typegrad/nn";

export const config = { sizes: [1, 2, 5, 1], activation: "sigmoid", slope: 2.3, intercept: 4.7 } as const;

/** The model: Linear(1,2) → σ → Linear(2,5) → σ → Linear(5,1), keys 0.*, 2.*, 4.* as in PyTorch. */
export const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));

/** x = linspace(0, 3, 100) and y = 2.3x + 4.7, as [100, 1] columns. */
export function data(): { x: Tensor; y: Tensor } {
  const xs = linspace(0, 3, 100);
  return {
    x: tensor(xs.data, { shape: [100, 1] }),
    y: tensor(Array.from(xs.data, (v) => config.slope * v + config.intercept), { shape: [100, 1] }),
  };
}

/** Least-squares line through points: the slope and intercept the network has learned. */
export function lineOf(xs: ArrayLike<number>, ys: ArrayLike<number>): { slope: number; intercept: number } {
  const n = xs.length;
  let [sx, sy, sxx, sxy] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [x, y] = [xs[i] as number, ys[i] as number];
    [sx, sy, sxx, sxy] = [sx + x, sy + y, sxx + x * x, sxy + x * y];
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return { slope, intercept: (sy - slope * sx) / n };
}

/**
 * Trains with Adam (lr 0.02) and MSE, one sample per step in order, for `passes` passes over
 * the data; `onPass` sees every pass's mean loss.
 */
export function train(passes = 200, seed = 0, onPass?: (log: EpochLog) => void): { ts: TrainState; mse: number; prediction: Tensor } {
  const { x, y } = data();
  // One sample per step: x and y of shape [1], like the tutorial's loop over points.
  const samples = Array.from(x.data, (v, i) => ({ x: tensor([v]), y: tensor([y.data[i] as number]) }));
  const { ts } = fit({
    model,
    loss: mse,
    optimizer: adam({ lr: 0.02 }),
    params: model.init(key(seed)),
    data: () => samples,
    epochs: passes,
    progress: false,
    callbacks: onPass ? [{ onEpochEnd: onPass }] : [],
  });
  const prediction = predict(model, ts, x);
  let sum = 0;
  prediction.data.forEach((p, i) => (sum += (p - (y.data[i] as number)) ** 2));
  return { ts, mse: sum / prediction.size, prediction };
}
