import { key, tensor } from "@typegrad/core";
import { adam, dense, fit, loadCheckpointOrThrow, mse, predict, saveCheckpointOrThrow, sequential, sigmoid } from "@typegrad/nn";

// The data: 100 points on y = 2.3x + 4.7, one sample per training step.
const xs = Array.from({ length: 100 }, (_, i) => (3 * i) / 99);
const samples = xs.map((x) => ({ x: tensor([x]), y: tensor([2.3 * x + 4.7]) }));

// Linear(1,2) → σ → Linear(2,5) → σ → Linear(5,1); the layer shapes are checked by the compiler.
const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));
const { ts, history } = fit({
  model,
  loss: mse,
  optimizer: adam({ lr: 0.02 }),
  params: model.init(key(0)),
  data: () => samples,
  epochs: 200,
  progress: false,
});
console.log(`mean loss: first pass ${history[0]?.loss.toFixed(3)}, last pass ${history.at(-1)?.loss.toFixed(4)}`);

// Save as safetensors (PyTorch's state_dict names), load into fresh parameters, predict.
await saveCheckpointOrThrow("seed-net.safetensors", ts, { config: { sizes: [1, 2, 5, 1] } });
const loaded = await loadCheckpointOrThrow("seed-net.safetensors", { params: model.init(key(1)), state: model.initState() });
const x = tensor([0, 1.5, 3], { shape: [3, 1] });
console.log("f(0), f(1.5), f(3):", predict(model, loaded, x).toFlat().map((v) => v.toFixed(2)).join(", "));
console.log("true values:      ", [0, 1.5, 3].map((v) => (2.3 * v + 4.7).toFixed(2)).join(", "));
