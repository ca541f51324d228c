import { key, linspace, tensor } from "@typegrad/core";
import { adam, dense, fit, mse, predict, sequential, sigmoid } from "@typegrad/nn";

const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));
const xs = linspace(0, 3, 100);
const samples = Array.from(xs.data, (x) => ({ x: tensor([x]), y: tensor([2.3 * x + 4.7]) })); // one point per step

const { ts } = fit({
  model,
  loss: mse,
  optimizer: adam({ lr: 0.02 }),
  params: model.init(key(0)),
  data: () => samples,
  epochs: 200,
  progress: false,
  callbacks: [{ onEpochEnd: (log) => void (log.epoch % 50 === 0 && console.log(`pass ${log.epoch}: mean loss ${log.loss.toExponential(2)}`)) }],
});

const yHat = predict(model, ts, tensor([0, 1.5, 3], { shape: [3, 1] })); // evaluation mode, compiled
console.log(`ŷ(0, 1.5, 3) = ${yHat.toFlat().map((v) => v.toFixed(3)).join(", ")}   (true: 4.7, 8.15, 11.6)`);
console.log(`${ts.step} steps; parameters: ${Object.keys(ts.params).join(", ")} (positions in the sequential)`);
