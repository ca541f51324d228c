// Trains a small MLP with `fit`, by default and with relaxed SIMD allowed, and prints the final
// losses and the bits of the first weight as JSON: run by relaxed.test.ts in Node processes with
// and without the engine's relaxed SIMD.
import { Tensor, key, wasmFeatures } from "@typegrad/core";
import { adam, crossEntropy, dense, fit, relu, sequential } from "@typegrad/nn";

const model = sequential(dense(64, 32), relu(), dense(32, 4));
const x = new Tensor([32, 64], "f32", Float32Array.from({ length: 32 * 64 }, (_, i) => Math.sin(i * 1.3)));
const y = new Tensor([32], "i32", Int32Array.from({ length: 32 }, (_, i) => i % 4));
const train = (relaxedSimd: boolean) => {
  const { ts, history } = fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.01 }), params: model.init(key(0)), data: () => [{ x, y }], epochs: 20, progress: false, relaxedSimd });
  const w = ts.params["0"].weight.data;
  return { loss: history.at(-1)?.loss ?? Number.NaN, bits: Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex") };
};
console.log(JSON.stringify({ relaxedSimd: wasmFeatures.relaxedSimd, plain: train(false), relaxed: train(true) }));
