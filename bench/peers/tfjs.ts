// @tensorflow/tfjs 4.22 on its `wasm` and `cpu` backends, written the idiomatic way: variables,
// `tf.train.adam` and `optimizer.minimize` inside `tf.tidy`.
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
// The umbrella package registers every op's gradient (tfjs-core alone ships them only as ES
// modules that Node cannot load) and the cpu backend.
import "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { type Contender, lossProbe, mlpFigure, regressionFigure, timed } from "../contender.js";
import { type Budget, measure, measureSteps } from "../harness.js";
import { type AdamConfig, type Gemm, type Mlp, denseInit, gemmData, gemmFlops, gemmShapes, mlpBatches, regression, regressionMse } from "../workloads.js";

/** Points the wasm backend at the .wasm files inside node_modules, so it loads them offline. */
function useLocalWasm(): void {
  const file = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm");
  setWasmPaths(path.dirname(file) + path.sep);
}

/** Seeded dense-layer variables `[w, b]` per layer. */
function initVariables(sizes: readonly number[], seed: number): [tf.Variable, tf.Variable][] {
  return denseInit(sizes, seed).map((l) => [tf.variable(tf.tensor2d(l.w, [l.fanIn, l.fanOut])), tf.variable(tf.tensor1d(l.b))]);
}

/** x through the dense layers with `act` between them (not after the last). */
function forward(x: tf.Tensor, layers: readonly [tf.Variable, tf.Variable][], act: (h: tf.Tensor) => tf.Tensor): tf.Tensor {
  return layers.reduce((h, [w, b], i) => {
    const z = tf.add(tf.matMul(h, w), b);
    return i < layers.length - 1 ? act(z) : z;
  }, x);
}

const adam = (c: AdamConfig): tf.Optimizer => tf.train.adam(c.lr, c.beta1, c.beta2, c.eps);

/** One training step: minimise `loss`, read the loss back, free the step's tensors. */
function step(opt: tf.Optimizer, loss: () => tf.Scalar): number {
  return tf.tidy(() => (opt.minimize(loss, true) as tf.Scalar).dataSync()[0] as number);
}

/** tfjs on one backend. */
function tfjsPeer(backend: "wasm" | "cpu"): Contender {
  return {
    name: backend === "wasm" ? "tfjs-wasm" : "tfjs-cpu",
    async setup() {
      if (backend === "wasm") useLocalWasm();
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to load`);
      await tf.ready();
      // The cpu backend's first write prints advice to install tfjs-node; we measure the backends as they are.
      if (backend === "cpu") Object.assign(tf.backend(), { firstUse: false });
    },

    async activate() {
      await tf.setBackend(backend);
    },

    gemm(g: Gemm, budget: Budget) {
      const [sa, sb] = gemmShapes(g);
      const [da, db] = gemmData(g);
      const [a, b] = [tf.tensor2d(da, sa), tf.tensor2d(db, sb)];
      // Nothing returned from tidy: it would walk a returned typed array element by element.
      const t = measure(() => tf.tidy(() => void tf.matMul(a, b, g.transA, g.transB).dataSync()), budget);
      tf.dispose([a, b]);
      return timed(t, (s) => gemmFlops(g) / s / 1e9);
    },

    regression(steps: number) {
      const layers = initVariables(regression.sizes, regression.seed);
      const opt = adam(regression.adam);
      const n = regression.xs.length;
      const xs = Array.from({ length: n }, (_, i) => tf.tensor2d(regression.xs.subarray(i, i + 1), [1, 1]));
      const ys = Array.from({ length: n }, (_, i) => tf.tensor2d(regression.ys.subarray(i, i + 1), [1, 1]));
      let s = 0;
      const r = measureSteps(steps, () => {
        const [x, y] = [xs[s % n] as tf.Tensor, ys[s++ % n] as tf.Tensor];
        step(opt, () => tf.mean(tf.square(tf.sub(forward(x, layers, tf.sigmoid), y))));
      }, n);
      const mse = regressionMse(tf.tidy(() => forward(tf.tensor2d(regression.xs, [n, 1]), layers, tf.sigmoid).dataSync()));
      tf.dispose([...xs, ...ys, ...layers.flat()]);
      opt.dispose();
      return regressionFigure(r, steps, mse);
    },

    mlp(mlp: Mlp, budget: Budget) {
      const layers = initVariables(mlp.sizes, 2);
      const opt = adam(mlp.adam);
      const [inputs, classes] = [mlp.sizes[0] as number, mlp.sizes[mlp.sizes.length - 1] as number];
      const data = mlpBatches(mlp, 4).map((b) => [tf.tensor2d(b.x, [mlp.batch, inputs]), tf.tensor2d(b.y, [mlp.batch, classes])] as const);
      let i = 0;
      const probe = lossProbe(() => {
        const [x, y] = data[i++ % data.length] as readonly [tf.Tensor, tf.Tensor];
        return step(opt, () => tf.losses.softmaxCrossEntropy(y, forward(x, layers, tf.relu)) as tf.Scalar);
      });
      const t = measure(probe.step, budget);
      const figure = mlpFigure(mlp.batch, t, probe.lossAt());
      tf.dispose([...data.flat(), ...layers.flat()]);
      opt.dispose();
      return figure;
    },
  };
}

/** tfjs with the wasm backend (XNNPACK kernels, SIMD, single-threaded in Node). */
export const tfjsWasm = tfjsPeer("wasm");
/** tfjs with the plain-JavaScript cpu backend. */
export const tfjsCpu = tfjsPeer("cpu");
