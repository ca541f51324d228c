// @jax-js/jax on its `wasm` device, every step under `jit`. jax-js counts references: a function
// consumes its array arguments, and `.ref` keeps one alive for another use.
import { type Array as JaxArray, defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { type Contender, lossProbe, mlpFigure, regressionFigure, timed } from "../contender.js";
import { type Budget, measure, measureSteps } from "../harness.js";
import { type AdamConfig, type Gemm, type Mlp, denseInit, gemmData, gemmFlops, gemmShapes, mlpBatches, regression, regressionMse } from "../workloads.js";

type Params = Record<string, JaxArray>;

/** x through dense layers `w{i}`, `b{i}` with `act` between them (not after the last). */
function forward(x: JaxArray, p: Params, layers: number, act: (h: JaxArray) => JaxArray): JaxArray {
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = np.matmul(h, p[`w${i}`] as JaxArray).add(p[`b${i}`] as JaxArray);
    if (i < layers - 1) h = act(h);
  }
  return h;
}

/** One jitted training step: loss, gradient and Adam update (PyTorch's form) over the params tree. */
function adamStep(loss: (p: Params, x: JaxArray, y: JaxArray) => JaxArray, cfg: AdamConfig) {
  return jit((p: Params, m: Params, v: Params, t: JaxArray, x: JaxArray, y: JaxArray) => {
    const [value, g] = valueAndGrad(loss)(tree.ref(p), x, y) as [JaxArray, Params];
    const t1 = t.add(1);
    const stepSize = np.array(cfg.lr).div(np.array(1).sub(np.power(cfg.beta1, t1.ref)));
    const vScale = np.sqrt(np.array(1).sub(np.power(cfg.beta2, t1.ref)));
    const [p1, m1, v1]: [Params, Params, Params] = [{}, {}, {}];
    for (const k of Object.keys(p)) {
      const gk = g[k] as JaxArray;
      const mk = (m[k] as JaxArray).mul(cfg.beta1).add(gk.ref.mul(1 - cfg.beta1));
      const vk = (v[k] as JaxArray).mul(cfg.beta2).add(np.square(gk).mul(1 - cfg.beta2));
      const denom = np.sqrt(vk.ref).div(vScale.ref).add(cfg.eps);
      p1[k] = (p[k] as JaxArray).sub(stepSize.ref.mul(mk.ref.div(denom)));
      m1[k] = mk;
      v1[k] = vk;
    }
    stepSize.dispose();
    vScale.dispose();
    return [p1, m1, v1, t1, value] as [Params, Params, Params, JaxArray, JaxArray];
  });
}

/** Seeded params `w{i}` [in, out], `b{i}` and zero moments for dense layers of `sizes`. */
function initParams(sizes: readonly number[], seed: number): { p: Params; m: Params; v: Params } {
  const [p, m, v]: [Params, Params, Params] = [{}, {}, {}];
  denseInit(sizes, seed).forEach((l, i) => {
    p[`w${i}`] = np.array(l.w).reshape([l.fanIn, l.fanOut]);
    p[`b${i}`] = np.array(l.b);
    for (const k of [`w${i}`, `b${i}`]) {
      m[k] = np.zerosLike((p[k] as JaxArray).ref);
      v[k] = np.zerosLike((p[k] as JaxArray).ref);
    }
  });
  return { p, m, v };
}

/** A training loop over a jitted step, owning its state. */
function trainer(sizes: readonly number[], seed: number, loss: (p: Params, x: JaxArray, y: JaxArray) => JaxArray, cfg: AdamConfig) {
  const step = adamStep(loss, cfg);
  let { p, m, v } = initParams(sizes, seed);
  let t = np.array(0);
  return {
    params: (): Params => p,
    /** One step on (x, y), which stay owned by the caller; returns the loss. */
    run: (x: JaxArray, y: JaxArray): number => {
      const out = step(p, m, v, t, x.ref, y.ref);
      [p, m, v, t] = [out[0], out[1], out[2], out[3]];
      return out[4].item();
    },
    dispose: (): void => {
      tree.dispose([p, m, v, t]);
      step.dispose();
    },
  };
}

const regressionLoss = (p: Params, x: JaxArray, y: JaxArray): JaxArray => np.mean(np.square(forward(x, p, 3, nn.sigmoid).sub(y)));

/** Softmax cross-entropy from logits and one-hot labels, averaged over the batch. */
const crossEntropy = (p: Params, x: JaxArray, y: JaxArray, layers: number): JaxArray => {
  const logits = forward(x, p, layers, (h) => np.maximum(h, 0));
  return np.mean(nn.logsumexp(logits.ref, -1).sub(np.sum(y.mul(logits), -1)));
};

/** A workload's training loop: `step` trains on the next sample or batch and returns the loss. */
interface Runner {
  readonly step: () => number;
  readonly params: () => Params;
  readonly dispose: () => void;
}

/** The regression workload, cycling in order over the 100 points. */
function regressionRunner(): Runner {
  const tr = trainer(regression.sizes, regression.seed, regressionLoss, regression.adam);
  const n = regression.xs.length;
  const xs = Array.from({ length: n }, (_, i) => np.array(regression.xs.subarray(i, i + 1)).reshape([1, 1]));
  const ys = Array.from({ length: n }, (_, i) => np.array(regression.ys.subarray(i, i + 1)).reshape([1, 1]));
  let s = 0;
  return {
    step: () => tr.run(xs[s % n] as JaxArray, ys[s++ % n] as JaxArray),
    params: tr.params,
    dispose: () => {
      tree.dispose([xs, ys]);
      tr.dispose();
    },
  };
}

/** An MLP workload, cycling over 4 synthetic batches. */
function mlpRunner(mlp: Mlp): Runner {
  const layers = mlp.sizes.length - 1;
  const tr = trainer(mlp.sizes, 2, (p, x, y) => crossEntropy(p, x, y, layers), mlp.adam);
  const [inputs, classes] = [mlp.sizes[0] as number, mlp.sizes[layers] as number];
  const data = mlpBatches(mlp, 4).map((b) => [np.array(b.x).reshape([mlp.batch, inputs]), np.array(b.y).reshape([mlp.batch, classes])]);
  let i = 0;
  return {
    step: () => {
      const [x, y] = data[i++ % data.length] as JaxArray[];
      return tr.run(x as JaxArray, y as JaxArray);
    },
    params: tr.params,
    dispose: () => {
      tree.dispose(data);
      tr.dispose();
    },
  };
}

/** Milliseconds of each workload's first jitted call beyond a steady call. */
const firstCalls = new Map<string, number>();

/**
 * The first call of a workload's jitted step in this process (trace, compile, run) minus a
 * steady call, measured once on a runner of its own. jax-js caches kernels across `jit`
 * instances, so only the first jit of a step in a process is cold.
 */
function coldStart(key: string, runner: () => Runner): number {
  const known = firstCalls.get(key);
  if (known !== undefined) return known;
  const run = runner();
  const t0 = performance.now();
  run.step();
  const first = performance.now() - t0;
  const steady = measure(run.step, { seconds: 0.05, repeats: 3, warmup: 2 }).seconds * 1000;
  run.dispose();
  firstCalls.set(key, first - steady);
  return first - steady;
}

/** jax-js on the wasm device. */
export const jaxPeer: Contender = {
  name: "jax-js",
  async setup() {
    await init("wasm");
    defaultDevice("wasm");
  },

  gemm(g: Gemm, budget: Budget) {
    const [sa, sb] = gemmShapes(g);
    const [da, db] = gemmData(g);
    const [a, b] = [np.array(da).reshape(sa), np.array(db).reshape(sb)];
    const f = jit((x: JaxArray, y: JaxArray) => np.matmul(g.transA ? x.transpose() : x, g.transB ? y.transpose() : y));
    const t = measure(() => f(a.ref, b.ref).dataSync(), budget);
    tree.dispose([a, b]);
    f.dispose();
    return timed(t, (s) => gemmFlops(g) / s / 1e9);
  },

  regression(steps: number) {
    coldStart("regression", regressionRunner);
    const run = regressionRunner();
    const r = measureSteps(steps, run.step, regression.xs.length);
    const pred = forward(np.array(regression.xs).reshape([regression.xs.length, 1]), tree.ref(run.params()), 3, nn.sigmoid).dataSync();
    run.dispose();
    return regressionFigure(r, steps, regressionMse(pred));
  },

  mlp(mlp: Mlp, budget: Budget) {
    coldStart(mlp.name, () => mlpRunner(mlp));
    const run = mlpRunner(mlp);
    const probe = lossProbe(run.step);
    const t = measure(probe.step, budget);
    const figure = mlpFigure(mlp.batch, t, probe.lossAt());
    run.dispose();
    return figure;
  },

  stepCompile(which: Mlp | "regression") {
    const value = which === "regression" ? coldStart(which, regressionRunner) : coldStart(which.name, () => mlpRunner(which));
    return { value, detail: "first call of the jitted step in the process − a steady call" };
  },
};
