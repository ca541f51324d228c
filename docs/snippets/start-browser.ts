// A browser entry: bundle it with `npx esbuild start-browser.ts --bundle --format=esm --outfile=public/app.js`.
import { key, tensor } from "@typegrad/core";
import { adam, dense, fit, mse, predict, sequential, tanh } from "@typegrad/nn";

const model = sequential(dense(1, 16), tanh(), dense(16, 1));
const samples = Array.from({ length: 50 }, (_, i) => ({ x: tensor([i / 49]), y: tensor([Math.sin(3 * (i / 49))]) }));
const { ts } = fit({ model, loss: mse, optimizer: adam({ lr: 0.02 }), params: model.init(key(0)), data: () => samples, epochs: 200, progress: false });
const guess = predict(model, ts, tensor([0.5], { shape: [1, 1] })).item();
console.log(`the network says sin(1.5) ≈ ${guess.toFixed(2)} (it is ${Math.sin(1.5).toFixed(2)})`);
